using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Demo;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall;
using OpsPortal.Core.OnCall.Escalation;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Core.OnCall.Schedules;
using OpsPortal.Core.Services;
using OpsPortal.Core.Subscriptions;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Demo;

/// <summary>
/// Demo mode's on-call for demo-web on a real database: two nodes starting at once and a restart leave one schedule,
/// one policy and two demo people, and a SEV1 incident of demo-web then pages whoever the schedule has on call.
/// </summary>
public sealed class DemoOnCallTests : IAsyncLifetime
{
    // A Wednesday: the demo rotation hands off on Mondays 09:00 Berlin, starting with this week's Monday (ann first).
    private static readonly DateTimeOffset Wednesday = new(2026, 12, 9, 12, 0, 0, TimeSpan.Zero);
    private readonly FixedClock _clock = new(Wednesday);
    private readonly string _dir = Directory.CreateTempSubdirectory("opsportal-demo-oncall-").FullName;
    private readonly List<ServiceProvider> _nodes = [];
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        await _db.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private ServiceProvider Node()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection([
            new("OpsPortal:Demo", "true"),
            new("OpsPortal:DemoDirectory", _dir),
        ]).Build());
        services.AddOpsData(_db.AppConnections());
        services.AddMarkdown();
        services.AddTickets();
        services.AddWiki();
        services.AddIncidents();
        services.AddDeploys();
        services.AddServiceCatalog();
        services.AddNotifications();
        services.AddSubscriptions();
        services.AddOnCall();
        services.AddDemo();
        // Only the on-call seeding runs here (and the demo services.yaml that names its policy for demo-web).
        services.RemoveAll<IHostedService>();
        services.AddSingleton<IHostedService, DemoOnCall>();
        services.AddSingleton<TimeProvider>(_clock);
        var node = services.BuildServiceProvider();
        _nodes.Add(node);
        return node;
    }

    /// <summary>Runs the node's demo on-call seeding until it reports a good round.</summary>
    private static async Task SeedAsync(ServiceProvider node)
    {
        var seeding = node.GetServices<IHostedService>().OfType<DemoOnCall>().Single();
        await seeding.StartAsync(CancellationToken.None);
        var health = node.GetRequiredService<BackgroundHealth>();
        // A node that lost the race for a demo account retries after its loop's back-off (1 s, then 2 s …).
        for (var i = 0; i < 300 && health.Get("demo.oncall")?.OkAt is null; i++)
        {
            await Task.Delay(100);
        }
        await seeding.StopAsync(CancellationToken.None);
        Assert.True(health.Get("demo.oncall")?.OkAt is not null, "demo on-call seeding did not finish: " + health.Get("demo.oncall")?.Error);
    }

    [Fact]
    public async Task TwoNodesAndARestart_OneScheduleOnePolicy_Sev1OfDemoWebPagesThePersonOnCall()
    {
        await Task.WhenAll(SeedAsync(Node()), SeedAsync(Node()));
        long scheduleId;
        await using (var db = _db.CreateContext())
        {
            scheduleId = (await db.Set<OnCallSchedule>().SingleAsync(s => s.Name == DemoOnCall.Schedule)).Id;
        }
        var restarted = Node();
        await SeedAsync(restarted);

        await using (var db = _db.CreateContext())
        {
            var schedule = await db.Set<OnCallSchedule>().AsNoTracking().SingleAsync();
            Assert.Equal(scheduleId, schedule.Id);
            Assert.True(schedule.IsDemo);
            Assert.Equal(DemoOnCall.People, schedule.Layers.Single().People);
            var policy = await db.Set<EscalationPolicy>().AsNoTracking().SingleAsync();
            Assert.Equal(DemoOnCall.Policy, policy.Name);
            Assert.Equal(scheduleId, policy.Levels[0].Targets.Single().ScheduleId);
            Assert.Equal(DemoOnCall.People, policy.Levels[1].Targets.Select(t => t.Person));
            Assert.Equal(2, await db.Users.CountAsync(u => DemoOnCall.People.Contains(u.Email!)));
        }
        var choice = await restarted.GetRequiredService<EscalationPolicies>().OnCallForAsync("demo-web");
        Assert.Equal(DemoOnCall.Policy, choice.Policy);

        var incidents = restarted.GetRequiredService<IncidentService>();
        var incident = await incidents.DeclareAsync(new DeclareIncident { Title = "Demo checkout down", Severity = "SEV1", Services = ["demo-web"] },
            new Actor("someone@demo-test.local", Roles.Engineer));
        Assert.True(incident.Succeeded, incident.Refusal?.Message);
        await using (var db = _db.CreateContext())
        {
            var page = await db.Set<Page>().AsNoTracking().SingleAsync();
            Assert.Equal(DemoOnCall.Policy, page.PolicyName);
            var paged = await db.Set<PageNotification>().AsNoTracking().Where(n => n.PageId == page.Id && n.Person != null).Select(n => n.Person).Distinct().ToListAsync();
            Assert.Equal([DemoOnCall.People[0]], paged);
        }

        // A week on, the rotation has handed off: the next SEV1 pages the other demo person.
        _clock.Now = Wednesday.AddDays(7);
        var next = await incidents.DeclareAsync(new DeclareIncident { Title = "Demo checkout down again", Severity = "SEV1", Services = ["demo-web"] },
            new Actor("someone@demo-test.local", Roles.Engineer));
        Assert.True(next.Succeeded, next.Refusal?.Message);
        await using (var db = _db.CreateContext())
        {
            var page = await db.Set<Page>().AsNoTracking().OrderBy(p => p.Id).LastAsync();
            Assert.Equal([DemoOnCall.People[1]], await db.Set<PageNotification>().AsNoTracking()
                .Where(n => n.PageId == page.Id && n.Person != null).Select(n => n.Person).Distinct().ToListAsync());
        }
    }
}
