using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Core.Logs.Syslog;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Syslog;

/// <summary>
/// A syslog listener on free loopback ports over a fresh migrated database, configured the way
/// the app is (<c>AddLogs()</c> and the <c>OpsPortal:Logs</c> section), plus ways to send and count.
/// </summary>
internal sealed class SyslogTestNode : IAsyncDisposable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private bool _started;

    private SyslogTestNode(TestDatabase database, ServiceProvider services)
    {
        Database = database;
        Services = services;
        Listener = services.GetRequiredService<SyslogListener>();
        Sources = services.GetRequiredService<LogSourceService>();
    }

    public TestDatabase Database { get; }
    public ServiceProvider Services { get; }
    public SyslogListener Listener { get; }
    public LogSourceService Sources { get; }

    public static async Task<SyslogTestNode> CreateAsync(int batchSize = 5000, int maxLineLength = 16 * 1024)
    {
        var database = await TestDatabase.CreateAsync();
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new($"{LogsOptions.Section}:SyslogUdpPort", FreePort(SocketType.Dgram, ProtocolType.Udp).ToString(Invariant)),
            new($"{LogsOptions.Section}:SyslogTcpPort", FreePort(SocketType.Stream, ProtocolType.Tcp).ToString(Invariant)),
            new($"{LogsOptions.Section}:SyslogBindAddress", "127.0.0.1"),
            new($"{LogsOptions.Section}:BatchSize", batchSize.ToString(Invariant)),
            new($"{LogsOptions.Section}:MaxLineLength", maxLineLength.ToString(Invariant)),
        ]).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddOpsData(database.AppConnections());
        services.AddLogs();
        return new SyslogTestNode(database, services.BuildServiceProvider());
    }

    public async Task<int> AddSourceAsync(string name, string tag, string format = "combined", string? hostLabel = null)
    {
        var source = await Sources.SaveAsync(As.Admin("test"), null,
            new SourceInput(name, LogSourceKind.Syslog, format, hostLabel, null, tag, Enabled: true)).OkAsync();
        return source.Id;
    }

    public async Task StartAsync()
    {
        await Listener.StartAsync(CancellationToken.None);
        _started = true;
        await Listener.Ready.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await ((IHostedService)Listener).StopAsync(CancellationToken.None);
        }
        await Services.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A combined-format line for now (partitions for today are made on demand).</summary>
    public static string Line(int i, int status = 200) =>
        $"198.51.100.{(i % 250) + 1} - - [{DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss", Invariant)} +0000] " +
        $"\"GET /syslog/{i} HTTP/1.1\" {status} {100 + i} \"-\" \"test/1.0\"";

    /// <summary>As nginx sends it: <c>&lt;190&gt;Mmm dd hh:mm:ss HOST TAG: LINE</c>, day space-padded.</summary>
    public static string Rfc3164(string tag, string line, string host = "web1")
    {
        var now = DateTime.Now;
        return $"<190>{now.ToString("MMM", Invariant)} {now.Day,2} {now.ToString("HH:mm:ss", Invariant)} {host} {tag}: {line}";
    }

    public static string Rfc5424(string tag, string line, string host = "web2", bool structuredData = false) =>
        $"<190>1 {DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", Invariant)} {host} {tag} 4242 access " +
        $"{(structuredData ? "[origin@32473 ip=\"10.0.0.1\" note=\"a \\] b\"]" : "-")} \uFEFF{line}";

    public static string OctetCounted(string message) => $"{Encoding.UTF8.GetByteCount(message)} {message}";

    public async Task SendUdpAsync(IEnumerable<string> messages)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        foreach (var message in messages)
        {
            await udp.SendAsync(Encoding.UTF8.GetBytes(message), Listener.UdpEndPoint!);
        }
    }

    /// <summary>One connection; the bytes are written in pieces of <paramref name="chunk"/> with pauses, so frames arrive split.</summary>
    public async Task SendTcpAsync(string data, int chunk = 4096)
    {
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(Listener.TcpEndPoint!);
        var stream = tcp.GetStream();
        foreach (var piece in Encoding.UTF8.GetBytes(data).Chunk(chunk))
        {
            await stream.WriteAsync(piece);
            await stream.FlushAsync();
            await Task.Delay(5);
        }
    }

    public Task<long> CountAsync(int sourceId) => ScalarAsync("SELECT count(*) FROM access WHERE source_id = $1", sourceId);

    public Task<long> RejectCountAsync(int sourceId) => ScalarAsync("SELECT count(*) FROM log_rejects WHERE source_id = $1", sourceId);

    public async Task<long> ScalarAsync(string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Tests pass literal SQL; the values go in as parameters.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        foreach (var arg in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        }
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), Invariant);
    }

    /// <summary>
    /// Waits until the source holds <paramref name="expected"/> rows, then a little past the flush
    /// delay, so a duplicate or a late extra row would show.
    /// </summary>
    public async Task AssertCountAsync(int sourceId, long expected)
    {
        await WaitUntilAsync(async () => await CountAsync(sourceId) >= expected, $"{expected} rows for source {sourceId}");
        await Task.Delay(SyslogSourceQueue.FlushDelay * 2);
        Assert.Equal(expected, await CountAsync(sourceId));
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for {what}.");
            }
            await Task.Delay(25);
        }
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
