using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Ingest;

/// <summary>
/// A database, a temp folder with <c>access.log</c>, and helpers to write numbered <c>combined</c>
/// lines (path <c>/t/N</c>) and count what arrived: <c>count(*)</c> against <c>count(DISTINCT path)</c>
/// tells a duplicate from a loss.
/// </summary>
public abstract class FileTailTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly List<ServiceProvider> _nodes = [];

    protected TestDatabase Db { get; private set; } = null!;
    protected string Dir { get; } = Directory.CreateTempSubdirectory("opsportal-tail-").FullName;
    protected string LogPath => Path.Combine(Dir, "access.log");

    public virtual async Task InitializeAsync() => Db = await TestDatabase.CreateAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        await Db.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>One app process's services, on its own connection pool (named, to find its locks).</summary>
    protected ServiceProvider Node(string name = "node", Action<LogsOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(new NpgsqlConnectionStringBuilder(Db.ConnectionString) { ApplicationName = name }.ConnectionString);
        services.AddLogs();
        services.Configure<LogsOptions>(o =>
        {
            o.SourceReloadInterval = TimeSpan.FromMilliseconds(200);
            o.AllowedPaths = Dir;
            configure?.Invoke(o);
        });
        var node = services.BuildServiceProvider();
        _nodes.Add(node);
        return node;
    }

    protected async Task<LogSource> AddSourceAsync(string? path = null)
    {
        await using var db = Db.CreateContext();
        var source = db.LogSources.Add(new LogSource
        {
            Name = "tail",
            Kind = LogSourceKind.File,
            Format = "combined",
            HostLabel = "web1",
            Path = path ?? LogPath,
            CreatedAt = DateTimeOffset.UtcNow,
        }).Entity;
        await db.SaveChangesAsync();
        return source;
    }

    /// <summary>A tailer running until the returned handle is disposed (what a stop or a crash leaves is the test's point).</summary>
    protected static RunningTailer StartTailer(ServiceProvider node, LogSource source)
    {
        var stop = new CancellationTokenSource();
        var tailer = ActivatorUtilities.CreateInstance<FileTailer>(node, source);
        return new RunningTailer(stop, Task.Run(() => tailer.RunAsync(stop.Token)));
    }

    protected sealed class RunningTailer(CancellationTokenSource stop, Task run) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
            stop.Dispose();
        }
    }

    protected static string Line(int n) =>
        string.Create(CultureInfo.InvariantCulture,
            $"10.0.{n / 250 % 250}.{n % 250 + 1} - - [{DateTime.UtcNow:dd/MMM/yyyy:HH:mm:ss} +0000] \"GET /t/{n} HTTP/1.1\" 200 {n} \"-\" \"tail-test\"");

    /// <summary>Appends lines <paramref name="from"/> … <paramref name="from"/>+<paramref name="count"/>-1, each with its newline.</summary>
    protected static void Append(string path, int from, int count)
    {
        var text = new StringBuilder();
        for (var n = from; n < from + count; n++)
        {
            text.Append(Line(n)).Append('\n');
        }
        AppendRaw(path, text.ToString());
    }

    protected static void AppendRaw(string path, string text)
    {
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        file.Write(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Appends <paramref name="text"/> with each char as one byte (Latin-1), to write NUL and bytes that are not UTF-8.</summary>
    protected static void AppendBytes(string path, string text)
    {
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        file.Write(Encoding.Latin1.GetBytes(text));
    }

    protected async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test queries are constants written in the tests.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        foreach (var arg in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Makes every batch's transaction last at least <paramref name="ms"/> ms (a sleep when the source's
    /// counters are updated, after the COPY and before the cursor), so a stop lands mid-stream, often
    /// mid-transaction, however fast or loaded the machine is.
    /// </summary>
    protected Task SlowBatchesAsync(int ms) => ScalarAsync<int>($$"""
        CREATE FUNCTION slow_batch() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN PERFORM pg_sleep({{ms}} / 1000.0); RETURN NEW; END $f$;
        CREATE TRIGGER slow_batch BEFORE UPDATE ON log_sources FOR EACH ROW EXECUTE FUNCTION slow_batch();
        SELECT 1;
        """);

    protected Task<long> RowsAsync(LogSource source) => ScalarAsync<long>("SELECT count(*) FROM access WHERE source_id = $1", source.Id);

    /// <summary>Waits until <paramref name="expected"/> rows arrived, then checks they stay that many and are all different lines.</summary>
    protected async Task AssertRowsAsync(LogSource source, long expected)
    {
        await WaitUntilAsync(async () => await RowsAsync(source) >= expected, $"{expected} rows");
        // Two more polls: a duplicate would arrive now.
        await Task.Delay(600);
        Assert.Equal(expected, await RowsAsync(source));
        Assert.Equal(expected, await ScalarAsync<long>("SELECT count(DISTINCT path) FROM access WHERE source_id = $1", source.Id));
    }

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"Timed out after {Patience.TotalSeconds} s waiting for {what}.");
            }
            await Task.Delay(20);
        }
    }
}
