using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Demo;

/// <summary>
/// In demo mode, writes simulated nginx traffic to a log file that the labelled demo source
/// tails, so the log features are alive from the first minute. One node simulates at a time
/// (a PostgreSQL advisory lock), however many share the database.
/// </summary>
internal sealed partial class DemoTrafficService(
    IOptions<DemoOptions> options,
    NpgsqlDataSource dataSource,
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource direct,
    IDbContextFactory<OpsDbContext> dbFactory,
    EventLog events,
    BackgroundHealth health,
    TimeProvider clock,
    ILogger<DemoTrafficService> logger) : BackgroundLoop(health, clock, logger)
{
    public const string SourceName = "demo-nginx";
    private const long RotateAtBytes = 20L * 1024 * 1024;

    protected override string LoopName => "demo.traffic";

    /// <summary>
    /// The simulator writes while this node holds the lock's session; when that session breaks (the
    /// database went away) the loop fails and starts over, so two nodes never simulate at once for long.
    /// </summary>
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }
        var path = Path.Combine(DemoDirectory(), "access.log");
        await EnsureSourceAsync(path, stoppingToken);
        await using var conn = await direct.OpenConnectionAsync(stoppingToken);
        while (!await TryLockAsync(conn, stoppingToken))
        {
            MarkHealthy();
            await Task.Delay(TimeSpan.FromSeconds(30), Clock, stoppingToken);
        }
        MarkHealthy();
        LogSimulating(Logger, path);
        using var simulate = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var simulating = SimulateAsync(path, simulate.Token);
        try
        {
            // The lock lives as long as the session: check it, and stop simulating when it is gone.
            while (!simulating.IsCompleted)
            {
                await Task.WhenAny(simulating, Task.Delay(TimeSpan.FromSeconds(5), Clock, stoppingToken));
                await using var ping = new NpgsqlCommand("SELECT 1", conn);
                await ping.ExecuteScalarAsync(stoppingToken);
            }
        }
        finally
        {
            await simulate.CancelAsync();
            await simulating.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await simulating;
    }

    private string DemoDirectory()
    {
        var dir = options.Value.FolderFor(dataSource.ConnectionString);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private async Task EnsureSourceAsync(string path, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var source = await db.LogSources.SingleOrDefaultAsync(s => s.Name == SourceName, ct);
        if (source is not null)
        {
            source.Path = path;
            await db.SaveChangesAsync(ct);
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        source = db.LogSources.Add(new LogSource
        {
            Name = SourceName,
            Kind = LogSourceKind.File,
            Format = "opsportal",
            Path = path,
            IsDemo = true,
            CreatedAt = Clock.GetUtcNow(),
        }).Entity;
        await db.SaveChangesAsync(ct);
        events.Append(db, Actor.System("demo").Name, LogsEventKinds.SourceCreated, LogsEventKinds.SourceSubject, source.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"Demo: added log source {SourceName}, fed by the traffic simulator");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('opsportal.demo-traffic'))", conn);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private async Task SimulateAsync(string path, CancellationToken ct)
    {
        var simulator = new TrafficSimulator(new Random());
        var random = new Random();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200), Clock);
        var writer = Open(path);
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (ticks++ % 25 == 0)
                {
                    await FollowDeploysAsync(simulator, ct);
                }
                // 5 to 25 requests a second, drifting, so graphs have a shape.
                var perTick = random.Next(1, 6);
                for (var i = 0; i < perTick; i++)
                {
                    await writer.WriteAsync(simulator.Line(Clock.GetUtcNow().UtcDateTime) + "\n");
                }
                await writer.FlushAsync(ct);
                if (writer.BaseStream.Length > RotateAtBytes)
                {
                    // Rename-and-create, as logrotate does: the tailer must follow it.
                    await writer.DisposeAsync();
                    File.Move(path, path + ".1", overwrite: true);
                    writer = Open(path);
                }
            }
        }
        finally
        {
            await writer.DisposeAsync();
        }
    }

    /// <summary>Every 5 s: a demo deploy of a <c>-regress</c> version makes its environment worse (DemoDeployFollower).</summary>
    private async Task FollowDeploysAsync(TrafficSimulator simulator, CancellationToken ct)
    {
        try
        {
            await DemoDeployFollower.FollowAsync(dbFactory, simulator, Clock.GetUtcNow(), ct);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            // The database is away: keep simulating as before and look again in 5 s.
            LogFollowFailed(ex);
        }
    }

    private static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete));

    [LoggerMessage(LogLevel.Warning, "Demo mode: could not read the demo deploys; the traffic keeps its current state")]
    private partial void LogFollowFailed(Exception ex);

    [LoggerMessage(LogLevel.Information, "Demo mode: simulating web traffic into {Path}")]
    private static partial void LogSimulating(ILogger logger, string path);
}
