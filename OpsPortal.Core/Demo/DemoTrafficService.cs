using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
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
public sealed partial class DemoTrafficService(
    IOptions<DemoOptions> options,
    NpgsqlDataSource dataSource,
    IDbContextFactory<OpsDbContext> dbFactory,
    EventLog events,
    TimeProvider clock,
    ILogger<DemoTrafficService> logger) : BackgroundService
{
    public const string SourceName = "demo-nginx";
    private const long RotateAtBytes = 20L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }
        try
        {
            var path = Path.Combine(DemoDirectory(), "access.log");
            await EnsureSourceAsync(path, stoppingToken);
            await using var conn = await dataSource.OpenConnectionAsync(stoppingToken);
            while (!await TryLockAsync(conn, stoppingToken))
            {
                await Task.Delay(TimeSpan.FromSeconds(30), stoppingToken);
            }
            LogSimulating(path);
            await SimulateAsync(path, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
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
            CreatedAt = clock.GetUtcNow(),
        }).Entity;
        await db.SaveChangesAsync(ct);
        events.Append(db, "system", LogsEventKinds.SourceCreated, LogsEventKinds.SourceSubject, source.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
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
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200), clock);
        var writer = Open(path);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                // 5 to 25 requests a second, drifting, so graphs have a shape.
                var perTick = random.Next(1, 6);
                for (var i = 0; i < perTick; i++)
                {
                    await writer.WriteAsync(simulator.Line(clock.GetUtcNow().UtcDateTime) + "\n");
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

    private static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete));

    [LoggerMessage(LogLevel.Information, "Demo mode: simulating web traffic into {Path}")]
    private partial void LogSimulating(string path);
}
