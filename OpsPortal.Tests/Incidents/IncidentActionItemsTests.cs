using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Events;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall;
using OpsPortal.Core.Services;
using OpsPortal.Core.Subscriptions;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Incidents;

/// <summary>Issue 21.10: the postmortem keeps to the incident's story, and its action items become tickets once.</summary>
public sealed class IncidentActionItemsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;
    private ServiceProvider _node1 = null!;
    private ServiceProvider _node2 = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _node1 = Node();
        _node2 = Node();
    }

    private ServiceProvider Node()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(_database.ConnectionString);
        services.AddMarkdown();
        services.AddTickets();
        services.AddWiki();
        services.AddIncidents();
        services.AddDeploys();
        services.AddServiceCatalog();
        services.AddNotifications();
        services.AddSubscriptions();
        services.AddOnCall();
        services.AddSingleton<TimeProvider>(new FixedClock(Now));
        return services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _node1.DisposeAsync();
        await _node2.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static readonly Actor Ann = As.Engineer("ann@x");

    private async Task<Incident> DeclareAsync() =>
        await _node1.GetRequiredService<IncidentService>().DeclareAsync(new DeclareIncident
        {
            Title = "Checkout 500s",
            Severity = "sev3",
            Services = ["web"],
            StartedAt = Now.AddMinutes(-30),
        }, Ann).OkAsync();

    private async Task AppendAsync(string kind, string subjectType, string subjectId, string summary, string? service)
    {
        await using var db = await _node1.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        _node1.GetRequiredService<EventLog>().Append(db, "sys", kind, subjectType, subjectId, summary, service);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Postmortem_ListsTheIncidentsStory_AndLeavesOtherServiceEventsBehindShowAll()
    {
        var incident = await DeclareAsync();
        await AppendAsync(DeployEventKinds.Started, "deploy", "77", "deploy of web 2.0.1", "web");
        await AppendAsync("ticket.created", "ticket", "OPS-900", "unrelated ticket of web created", "web");
        await AppendAsync("notification.delivered", "notification", "5", "webhook delivered for web", "web");
        await AppendAsync(DeployEventKinds.Started, "deploy", "78", "deploy of api 9.9.9", "api");

        var slug = await _node1.GetRequiredService<IncidentPostmortems>().CreateAsync(incident.Id, Ann).OkAsync();
        var body = (await _node1.GetRequiredService<WikiService>().GetAsync(slug))!.Body;
        var items = await _node1.GetRequiredService<IncidentTimeline>().BuildAsync(incident, TimeSpan.FromHours(1));

        Assert.Contains("deploy of web 2.0.1", body);
        Assert.DoesNotContain("unrelated ticket of web", body);
        Assert.DoesNotContain("webhook delivered", body);
        Assert.DoesNotContain("api 9.9.9", body);
        Assert.Contains($"2 other events of these services in the window", body);
        Assert.Contains($"(/incidents/{incident.Id}/review?all=true)", body);
        Assert.Equal(["unrelated ticket of web created", "webhook delivered for web"], items.Where(i => !i.Relevant).Select(i => i.Summary));
        Assert.Contains(items, i => i.Kind == IncidentEventKinds.Declared && i.Relevant);
    }

    [Fact]
    public async Task Postmortem_ActionItems_AreAChecklistTheReviewReads()
    {
        var incident = await DeclareAsync();
        var slug = await _node1.GetRequiredService<IncidentPostmortems>().CreateAsync(incident.Id, Ann).OkAsync();
        var wiki = _node1.GetRequiredService<WikiService>();
        var page = (await wiki.GetAsync(slug))!;
        Assert.Contains("## Action items", page.Body);
        Assert.Contains("- [ ] ", page.Body);
        Assert.Empty(await _node1.GetRequiredService<IncidentActionItems>().ListAsync(incident.Id).OkAsync());

        await wiki.SaveAsync(Ann, slug, new WikiSaveRequest(page.Title,
            page.Body.TrimEnd() + "\n- [ ] Alert on replica lag (ann)\n- [x] Raise  the pool size\n\n## Appendix\n- [ ] not an action item\n", page.Revision, null)).OkAsync();
        var items = await _node1.GetRequiredService<IncidentActionItems>().ListAsync(incident.Id).OkAsync();

        Assert.Equal([("Alert on replica lag (ann)", false), ("Raise the pool size", true)], items.Select(i => (i.Text, i.Done)));
    }

    [Fact]
    public async Task CreateTicket_DoubleClickAndTwoNodes_MakeOneTicketLinkedToTheIncident()
    {
        var incident = await DeclareAsync();
        const string item = "Alert on replica lag";

        var keys = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            (i % 2 == 0 ? _node1 : _node2).GetRequiredService<IncidentActionItems>().CreateTicketAsync(incident.Id, item, Ann).OkAsync()));
        var again = await _node1.GetRequiredService<IncidentActionItems>().CreateTicketAsync(incident.Id, "  Alert on   replica lag ", Ann).OkAsync();

        Assert.Single(keys.Distinct());
        Assert.Equal(keys[0], again);
        await using var db = await _node1.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        var ticket = Assert.Single(await db.Set<Ticket>().Include(t => t.Links).Where(t => t.Title == item).ToListAsync());
        Assert.Equal(keys[0], ticket.Key);
        Assert.Equal(TicketType.Task, ticket.Type);
        Assert.Contains(ticket.Links, l => l.TargetType == TicketLinkTargets.Incident && l.TargetId == incident.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, await db.Events.CountAsync(e => e.Kind == IncidentEventKinds.ActionItemTicketed));
    }

    [Fact]
    public async Task CreateTicket_BadInput_RefusedAndNothingWritten()
    {
        var incident = await DeclareAsync();
        var items = _node1.GetRequiredService<IncidentActionItems>();

        Assert.Equal(RefusalKind.Invalid, (await items.CreateTicketAsync(incident.Id, "   ", Ann)).Refusal?.Kind);
        Assert.Equal(RefusalKind.Invalid, (await items.CreateTicketAsync(incident.Id, new string('x', 201), Ann)).Refusal?.Kind);
        Assert.Equal(RefusalKind.NotFound, (await items.CreateTicketAsync(incident.Id + 1000, "x", Ann)).Refusal?.Kind);
        await using var db = await _node1.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.Events.CountAsync(e => e.Kind == IncidentEventKinds.ActionItemTicketed));
    }

    [Theory]
    [InlineData("# P\n## Action items\n- [ ] a\n* [X] b\n  - [ ] c\n### Detail\n- [ ] d\n## Next\n- [ ] e", "a:False|b:True|c:False|d:False")]
    [InlineData("## Action Items ##\n- [ ] \n- [ ] a\n- [ ] a\n- plain bullet", "a:False")]
    [InlineData("## Root cause\n- [ ] not here", "")]
    public void Parse_TakesTheTaskLinesUnderActionItems(string markdown, string expected) =>
        Assert.Equal(expected, string.Join('|', IncidentActionItems.Parse(markdown).Select(i => $"{i.Text}:{i.Checked}")));
}
