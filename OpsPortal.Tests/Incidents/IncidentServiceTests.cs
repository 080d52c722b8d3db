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

/// <summary>The incident lifecycle against a real database: every change, and the events it writes.</summary>
public sealed class IncidentServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly FixedClock _clock = new(Now);
    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(_database.ConnectionString);
        services.AddMarkdown();
        services.AddTickets();
        services.AddWiki();
        services.AddIncidents();
        // Declaring may page (SEV1/SEV2): paging needs the catalog, the outbox and on-call.
        services.AddDeploys();
        services.AddServiceCatalog();
        services.AddNotifications();
        services.AddSubscriptions();
        services.AddOnCall();
        services.AddSingleton<TimeProvider>(_clock);
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IncidentService Incidents => _services.GetRequiredService<IncidentService>();

    private static Actor A(string name) => As.Engineer(name);

    private Task<Incident> DeclareAsync(DeclareIncident? request = null) =>
        Incidents.DeclareAsync(request ?? new DeclareIncident { Title = "Checkout 500s", Severity = "sev2", Services = ["web"] }, A("ann@x")).OkAsync();

    private Task<Refusal> RefusedDeclareAsync(DeclareIncident request) =>
        Incidents.DeclareAsync(request, A("ann@x")).RefusedAsync(RefusalKind.Invalid);

    private async Task<List<OpsEvent>> EventsAsync(long id)
    {
        await using var db = _database.CreateContext();
        var subject = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The incident's own events (paging writes page.* events on the same timeline: tested in OnCall).
        return await db.Events.Where(e => e.SubjectType == "incident" && e.SubjectId == subject && e.Kind.StartsWith("incident."))
            .OrderBy(e => e.Id).ToListAsync();
    }

    [Fact]
    public async Task Declare_DefaultsTimesToNow_DeclarerCommands_WritesEvent()
    {
        var incident = await DeclareAsync();

        Assert.Equal((IncidentStatus.Investigating, IncidentSeverity.Sev2, Now, Now), (incident.Status, incident.Severity, incident.StartedAt, incident.DetectedAt!.Value));
        Assert.Equal("ann@x", incident.Commander);
        Assert.Equal(["ann@x"], incident.Participants);
        var ev = Assert.Single(await EventsAsync(incident.Id));
        Assert.Equal((IncidentEventKinds.Declared, "web"), (ev.Kind, ev.Service));
        Assert.Contains("SEV2", ev.Summary, StringComparison.Ordinal);
        await using var db = _database.CreateContext();
        var ticket = await db.Set<Ticket>().SingleAsync();
        Assert.Equal((incident.TicketKey, TicketType.Incident, TicketPriority.P2, "SEV2: Checkout 500s", "web"),
            (ticket.Key, ticket.Type, ticket.Priority, ticket.Title, ticket.Service));
    }

    [Fact]
    public async Task Declare_FromATicket_LinksIt_ResolveAndReopenFollowOnTheTicket()
    {
        var existing = await DeclareAsync();
        var incident = await DeclareAsync(new DeclareIncident { Title = "same", Severity = "SEV3", Services = ["web"], Ticket = existing.TicketKey });

        await Incidents.SetStatusAsync(incident.Id, IncidentStatus.Resolved, A("bob@x")).OkAsync();
        await using (var db = _database.CreateContext())
        {
            Assert.Equal(1, await db.Set<Ticket>().CountAsync());
            Assert.Equal(TicketStatus.Resolved, (await db.Set<Ticket>().SingleAsync()).Status);
        }
        await Incidents.SetStatusAsync(incident.Id, IncidentStatus.Investigating, A("bob@x")).OkAsync();
        await using (var db = _database.CreateContext())
        {
            Assert.Equal(TicketStatus.Open, (await db.Set<Ticket>().SingleAsync()).Status);
        }
        Assert.Equal(existing.TicketKey, incident.TicketKey);
        var missing = await RefusedDeclareAsync(new DeclareIncident { Title = "x", Severity = "SEV3", Services = ["web"], Ticket = "OPS-999" });
        Assert.Contains("OPS-999", missing.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declare_WithHistory_RecordsTimesAndStatus()
    {
        var incident = await DeclareAsync(new DeclareIncident
        {
            Title = "Yesterday's outage",
            Severity = "SEV1",
            Services = ["api", "web"],
            StartedAt = Now.AddHours(-20),
            DetectedAt = Now.AddHours(-19),
            AcknowledgedAt = Now.AddHours(-18.5),
            MitigatedAt = Now.AddHours(-18),
            ResolvedAt = Now.AddHours(-17),
        });

        Assert.Equal(IncidentStatus.Resolved, incident.Status);
        Assert.Equal([IncidentEventKinds.Declared, IncidentEventKinds.Acknowledged, IncidentEventKinds.Mitigated, IncidentEventKinds.Resolved],
            (await EventsAsync(incident.Id)).Select(e => e.Kind));
    }

    [Theory]
    [InlineData(null, "SEV2", "web", "title of 1 to 200")]
    [InlineData("t", "SEV5", "web", "SEV1, SEV2, SEV3 or SEV4")]
    [InlineData("t", "SEV2", "", "at least one affected service")]
    [InlineData("t", "SEV2", "we b", "not a service name")]
    public async Task Declare_BadInput_ClearErrorAndNothingSaved(string? title, string severity, string service, string message)
    {
        var refusal = await RefusedDeclareAsync(new DeclareIncident { Title = title, Severity = severity, Services = [service] });

        Assert.Contains(message, refusal.Detail, StringComparison.Ordinal);
        await using var db = _database.CreateContext();
        Assert.Equal(0, await db.Incidents.CountAsync());
        Assert.Equal(0, await db.Events.CountAsync());
        Assert.Equal(0, await db.Set<Ticket>().CountAsync());
    }

    [Fact]
    public async Task Declare_TimesOutOfOrderOrInTheFuture_Rejected()
    {
        var order = await RefusedDeclareAsync(new DeclareIncident
        {
            Title = "t",
            Severity = "SEV3",
            Services = ["web"],
            StartedAt = Now.AddMinutes(-5),
            DetectedAt = Now.AddMinutes(-10),
        });
        var future = await RefusedDeclareAsync(new DeclareIncident
        {
            Title = "t",
            Severity = "SEV3",
            Services = ["web"],
            StartedAt = Now.AddHours(1),
        });

        Assert.Equal("detectedAt (2026-11-26T09:50:00Z) cannot be before startedAt (2026-11-26T09:55:00Z).", order.Detail);
        Assert.Contains("in the future", future.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifecycle_EachStateChangeSetsItsTime_ReopenForgetsResolution()
    {
        var id = (await DeclareAsync()).Id;
        _clock.Now = Now.AddMinutes(3);
        var acked = await Incidents.AcknowledgeAsync(id, A("bob@x")).OkAsync();
        _clock.Now = Now.AddMinutes(4);
        var again = await Incidents.AcknowledgeAsync(id, A("carol@x")).OkAsync();
        _clock.Now = Now.AddMinutes(10);
        await Incidents.SetStatusAsync(id, IncidentStatus.Identified, A("bob@x")).OkAsync();
        _clock.Now = Now.AddMinutes(20);
        var mitigated = await Incidents.SetStatusAsync(id, IncidentStatus.Mitigated, A("bob@x")).OkAsync();
        _clock.Now = Now.AddMinutes(30);
        var resolved = await Incidents.SetStatusAsync(id, IncidentStatus.Resolved, A("bob@x")).OkAsync();
        _clock.Now = Now.AddMinutes(40);
        var reopened = await Incidents.SetStatusAsync(id, IncidentStatus.Investigating, A("bob@x")).OkAsync();

        Assert.Equal(Now.AddMinutes(3), acked.AcknowledgedAt);
        Assert.Equal(Now.AddMinutes(3), again.AcknowledgedAt);
        Assert.Equal(Now.AddMinutes(20), mitigated.MitigatedAt);
        Assert.Equal((Now.AddMinutes(20), Now.AddMinutes(30)), (resolved.MitigatedAt!.Value, resolved.ResolvedAt!.Value));
        Assert.Equal((IncidentStatus.Investigating, null, null), (reopened.Status, reopened.MitigatedAt, reopened.ResolvedAt));
        Assert.Equal(["ann@x", "bob@x"], reopened.Participants);
        Assert.Equal(
            [IncidentEventKinds.Declared, IncidentEventKinds.Acknowledged, IncidentEventKinds.Identified, IncidentEventKinds.Mitigated,
             IncidentEventKinds.Resolved, IncidentEventKinds.Reopened],
            (await EventsAsync(id)).Select(e => e.Kind));
    }

    [Fact]
    public async Task EditTimes_Backdated_RecordedWithOldAndNewValue()
    {
        var id = (await DeclareAsync()).Id;

        var edited = await Incidents.UpdateAsync(id, new IncidentChange { StartedAt = Now.AddMinutes(-45), Severity = "SEV1" }, A("bob@x")).OkAsync();

        Assert.Equal((Now.AddMinutes(-45), IncidentSeverity.Sev1), (edited.StartedAt, edited.Severity));
        var events = await EventsAsync(id);
        var edit = Assert.Single(events, e => e.Kind == IncidentEventKinds.TimeEdited);
        Assert.Equal("bob@x set startedAt of #" + id + " to 2026-11-26T09:15:00Z (was 2026-11-26T10:00:00Z)", edit.Summary);
        Assert.Contains(events, e => e.Kind == IncidentEventKinds.Updated && e.Summary.Contains("severity", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EditTimes_ResolutionOfAnOpenIncident_Rejected_ResolveWithATime_Accepted()
    {
        var id = (await DeclareAsync()).Id;

        var ex = await Incidents.UpdateAsync(id, new IncidentChange { ResolvedAt = Now }, A("bob@x")).RefusedAsync(RefusalKind.Invalid);
        _clock.Now = Now.AddMinutes(10);
        var resolved = await Incidents.UpdateAsync(id, new IncidentChange { Status = "Resolved", ResolvedAt = Now.AddMinutes(6) }, A("bob@x")).OkAsync();

        Assert.Contains("once the incident is resolved", ex.Detail, StringComparison.Ordinal);
        Assert.Equal((Now.AddMinutes(6), Now.AddMinutes(6)), (resolved.MitigatedAt!.Value, resolved.ResolvedAt!.Value));
        Assert.DoesNotContain(await EventsAsync(id), e => e.Kind == IncidentEventKinds.TimeEdited);
    }

    [Fact]
    public async Task Note_AtAChosenTime_AndPin()
    {
        var id = (await DeclareAsync()).Id;

        var note = await Incidents.AddNoteAsync(id, "Saw errors in the checkout logs", Now.AddMinutes(-30), A("carol@x")).OkAsync();
        var noteEvent = Assert.Single(await EventsAsync(id), e => e.Kind == IncidentEventKinds.NoteAdded);
        await Incidents.SetPinnedAsync(id, noteEvent.Id, true, A("carol@x")).OkAsync();
        await Incidents.SetPinnedAsync(id, noteEvent.Id, true, A("carol@x")).OkAsync();

        Assert.Equal(Now.AddMinutes(-30), note.At);
        await using var db = _database.CreateContext();
        Assert.Equal(1, await db.IncidentPins.CountAsync());
        Assert.Single(await EventsAsync(id), e => e.Kind == IncidentEventKinds.Pinned);
        var empty = await Incidents.AddNoteAsync(id, "  ", null, A("carol@x")).RefusedAsync(RefusalKind.Invalid);
        Assert.Contains("1 to 10000", empty.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_OwnEvents_ServiceEventsInWindow_NoteAtItsChosenTime()
    {
        var incident = await DeclareAsync(new DeclareIncident { Title = "t", Severity = "SEV2", Services = ["web"], StartedAt = Now.AddMinutes(-20), Page = false });
        await using (var db = _database.CreateContext())
        {
            var log = new EventLog(new FixedClock(Now.AddMinutes(-50)));
            log.Append(db, "deployer", "deploy.succeeded", "deploy", "7", "web 1.2.3 deployed", "web");
            new EventLog(new FixedClock(Now.AddHours(-5))).Append(db, "deployer", "deploy.succeeded", "deploy", "6", "too early", "web");
            new EventLog(new FixedClock(Now.AddMinutes(-10))).Append(db, "deployer", "deploy.succeeded", "deploy", "8", "other service", "api");
            await db.SaveChangesAsync();
        }
        _clock.Now = Now.AddMinutes(5);
        await Incidents.AddNoteAsync(incident.Id, "first alert", Now.AddMinutes(-15), A("ann@x")).OkAsync();
        var timeline = _services.GetRequiredService<IncidentTimeline>();

        var items = await timeline.BuildAsync(incident, TimeSpan.FromHours(1), default);

        Assert.Equal(["web 1.2.3 deployed", "first alert", "ann@x created OPS-1 (P2 incident): SEV2: t", "ann@x linked OPS-1: relates to incident 1", "declared"],
            items.Select(i => i.Category switch { TimelineCategory.Note => i.Text!, TimelineCategory.State => "declared", _ => i.Summary }));
        Assert.Equal(TimelineCategory.Deploy, items[0].Category);
        Assert.True(items[1].Backdated);
    }
}


