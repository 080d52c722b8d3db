using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpsPortal.Core.Data;
using OpsPortal.Core.Demo;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Demo;

public sealed class TrafficSimulatorTests
{
    private static readonly DateTime Now = new(2026, 11, 26, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Lines_AllParseAsOpsPortal_WithEveryColumnFilled()
    {
        var simulator = new TrafficSimulator(new Random(7));
        var parser = LogFormat.Preset("opsportal");
        var record = new AccessRecord();

        for (var i = 0; i < 2000; i++)
        {
            var line = simulator.Line(Now);
            Assert.True(parser.TryParse(line, record, out var reason), $"{reason}: {line}");
            Assert.NotNull(record.Hostname);
            Assert.NotNull(record.BackendTime);
            Assert.NotNull(record.BackendIp);
            Assert.Equal("TLSv1.3", record.SslProtocol);
            Assert.Equal(Now, record.Date);
        }
    }

    [Fact]
    public void Burst_MakesMostRequestsToOneHost5xx()
    {
        var simulator = new TrafficSimulator(new Random(3));
        var parser = LogFormat.Preset("opsportal");
        var record = new AccessRecord();
        simulator.StartBurst(Now, TimeSpan.FromMinutes(1));

        var byHost = Enumerable.Range(0, 3000).Select(i =>
        {
            parser.TryParse(simulator.Line(Now), record, out _);
            return (record.Hostname, FiveXx: record.Status >= 500);
        }).GroupBy(x => x.Hostname).ToDictionary(g => g.Key!, g => g.Count(x => x.FiveXx) / (double)g.Count());

        Assert.Single(byHost, kv => kv.Value > 0.5);
        Assert.Equal(byHost.Count - 1, byHost.Count(kv => kv.Value < 0.05));
    }

    [Fact]
    public void Regress_RaisesErrorsAndLatency_OnThatEnvironmentsHostsOnly_UntilItEnds()
    {
        var simulator = new TrafficSimulator(new Random(5));
        var parser = LogFormat.Preset("opsportal");
        var record = new AccessRecord();
        simulator.Regress("staging", Now.AddMinutes(10));

        var lines = Enumerable.Range(0, 4000).Select(i =>
        {
            parser.TryParse(simulator.Line(Now), record, out _);
            return (Staging: TrafficSimulator.EnvironmentHosts["staging"].Contains(record.Hostname), FiveXx: record.Status >= 500, record.BackendTime);
        }).ToList();

        var staging = lines.Where(l => l.Staging).ToList();
        var production = lines.Where(l => !l.Staging).ToList();
        Assert.InRange(staging.Count, 800, 1200);
        Assert.InRange(staging.Count(l => l.FiveXx) / (double)staging.Count, 0.15, 0.3);
        Assert.InRange(production.Count(l => l.FiveXx) / (double)production.Count, 0, 0.05);
        Assert.True(staging.Average(l => l.BackendTime!.Value) > 2 * production.Average(l => l.BackendTime!.Value));
        Assert.False(simulator.IsRegressed("staging", Now.AddMinutes(10)));
    }

    [Fact]
    public void Traffic_HasSlowSearchBackends()
    {
        var simulator = new TrafficSimulator(new Random(11));
        var parser = LogFormat.Preset("opsportal");
        var record = new AccessRecord();
        var slow = 0;

        for (var i = 0; i < 5000; i++)
        {
            parser.TryParse(simulator.Line(Now), record, out _);
            if (record.BackendTime > 0.8)
            {
                Assert.StartsWith("/api/search", record.Path, StringComparison.Ordinal);
                slow++;
            }
        }

        Assert.InRange(slow, 20, 300);
    }
}

public sealed class DemoTrafficServiceTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "opsportal-demo-test-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task DemoOn_CreatesLabelledSource_AndWritesTraffic()
    {
        await using var sp = Build(demo: true);
        var service = sp.GetServices<IHostedService>().OfType<DemoTrafficService>().Single();

        await service.StartAsync(CancellationToken.None);
        var file = Path.Combine(_dir, "access.log");
        for (var i = 0; i < 50 && (!File.Exists(file) || new FileInfo(file).Length == 0); i++)
        {
            await Task.Delay(100);
        }
        await service.StopAsync(CancellationToken.None);

        await using var db = _db.CreateContext();
        var source = await db.LogSources.SingleAsync();
        Assert.Equal(DemoTrafficService.SourceName, source.Name);
        Assert.True(source.IsDemo);
        Assert.Equal(file, source.Path);
        Assert.True(new FileInfo(file).Length > 0);
        Assert.True(await db.Events.AnyAsync(e => e.Summary.StartsWith("Demo:")));
    }

    [Fact]
    public async Task DemoOff_DoesNothing()
    {
        await using var sp = Build(demo: false);
        var service = sp.GetServices<IHostedService>().OfType<DemoTrafficService>().Single();

        await service.StartAsync(CancellationToken.None);
        await Task.Delay(300);
        await service.StopAsync(CancellationToken.None);

        await using var db = _db.CreateContext();
        Assert.False(await db.LogSources.AnyAsync());
        Assert.False(Directory.Exists(_dir));
    }

    private ServiceProvider Build(bool demo)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection([
            new("OpsPortal:Demo", demo ? "true" : "false"),
            new("OpsPortal:DemoDirectory", _dir),
        ]).Build());
        services.AddOpsData(_db.AppConnections());
        // AddDemo fills the features it is given: the wiki's starter runbooks need the wiki.
        services.AddMarkdown();
        services.AddWiki();
        services.AddDemo();
        // The demo's alert rules need the whole alerts feature; these tests are about the traffic simulator.
        services.Remove(services.Single(d => d.ImplementationType == typeof(DemoAlertRules)));
        // Likewise the demo's on-call schedule and policy need the on-call feature.
        services.Remove(services.Single(d => d.ImplementationType == typeof(DemoOnCall)));
        // And the demo's first backup needs the backups feature.
        services.Remove(services.Single(d => d.ImplementationType == typeof(DemoBackups)));
        return services.BuildServiceProvider();
    }
}
