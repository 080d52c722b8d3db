using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Tests.Alerts;

/// <summary>Rounds over real ingested lines: firing, notifications, acknowledgement, silences, recovery, and the incident an alert declares.</summary>
public sealed class AlertEvaluationTests : AlertTestBase
{
    private AlertService AlertService() => new(Factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>(), new EventLog(Clock), Clock,
        Factory.Services.GetRequiredService<IOptions<AlertsOptions>>(), Factory.Services.GetRequiredService<OpsPortal.Core.Services.ServiceCatalog>(), Paging);

    [Fact]
    public async Task Burst_Fires_AckStopsRepeats_RecoveryNotifies_SilenceSuppresses()
    {
        const string host = "burst.alerts.test";
        for (var m = 0; m < 20; m++)
        {
            var burst = m is >= 5 and <= 9 or >= 13 and <= 16;
            await IngestAsync(host, m, ok: burst ? 10 : 20, errors: burst ? 10 : 0);
        }
        await IngestAsync("other.alerts.test", 6, ok: 0, errors: 50); // another host's errors are not this rule's
        var rule = await CreateRatioRuleAsync(host, "Burst 5xx");
        var (webhook, email) = await RouteToChannelsAsync();
        async Task<int> NotifiedAsync()
        {
            var notified = (await EventsAsync(rule, AlertEventKinds.Notified)).Count;
            // Every notification decided is queued, in the round's transaction, for both routed channels.
            var deliveries = await DeliveriesAsync();
            Assert.Equal(2 * notified, deliveries.Count);
            Assert.Equal(notified, deliveries.Count(d => d.ChannelId == webhook));
            Assert.Equal(notified, deliveries.Count(d => d.ChannelId == email));
            return notified;
        }

        await RoundAtAsync(3);
        Assert.Equal((AlertState.Ok, 0), ((await InstanceAsync(rule)).HardState, await NotifiedAsync()));

        await RoundAtAsync(6);
        var firing = await InstanceAsync(rule);
        Assert.Equal((AlertState.Critical, true, 50.0), (firing.HardState, firing.Hard, firing.Value!.Value));
        Assert.Equal(1, await NotifiedAsync());
        var notified = (await EventsAsync(rule, AlertEventKinds.Notified))[0].Payload!.RootElement;
        Assert.Contains("[CRITICAL] Burst 5xx on alerts-test", notified.GetProperty("Subject").GetString(), StringComparison.Ordinal);
        var text = notified.GetProperty("Text").GetString()!;
        Assert.Contains("Value: 50 (threshold 20)", text, StringComparison.Ordinal);
        Assert.Contains("/wiki/runbooks/alerts-test", text, StringComparison.Ordinal);
        Assert.Contains($"/alerts/rules/{rule}", text, StringComparison.Ordinal);
        var delivery = (await DeliveriesAsync())[0];
        Assert.Equal(("critical", "alert", rule.ToString(System.Globalization.CultureInfo.InvariantCulture), "CRITICAL"),
            (delivery.Severity, delivery.SubjectType, delivery.SubjectId, delivery.Labels["state"]));
        Assert.Contains(delivery.Links, l => l.Title == "Runbook" && l.Url.EndsWith("/wiki/runbooks/alerts-test", StringComparison.Ordinal));

        await RoundAtAsync(7);
        Assert.Equal(2, await NotifiedAsync()); // repeat after a minute while not acknowledged

        var ack = await Client.PostAsJsonAsync($"/api/alerts/{firing.Id}/ack", new { comment = "looking at pool b" });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        await RoundAtAsync(8);
        await RoundAtAsync(9.5);
        await RoundAtAsync(10);
        Assert.Equal(2, await NotifiedAsync());
        Assert.Single(await EventsAsync(rule, AlertEventKinds.Acknowledged));

        await RoundAtAsync(11.5);
        var recovered = await InstanceAsync(rule);
        Assert.Equal((AlertState.Ok, (DateTimeOffset?)null), (recovered.HardState, recovered.AcknowledgedAt));
        Assert.Equal(3, await NotifiedAsync());
        Assert.Single(await EventsAsync(rule, AlertEventKinds.Recovered));

        Clock.Now = T0.AddMinutes(12);
        var silence = await Client.PostAsJsonAsync("/api/silences", new
        {
            matchers = new[] { new { name = "service", value = Service }, new { name = "team", value = "ops" } },
            startsAt = T0.AddMinutes(12),
            endsAt = T0.AddMinutes(72),
            reason = "planned failover",
        });
        Assert.Equal(HttpStatusCode.Created, silence.StatusCode);
        var silenceId = (await silence.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await RoundAtAsync(14);
        await RoundAtAsync(15);
        Assert.Equal(AlertState.Critical, (await InstanceAsync(rule)).HardState);
        Assert.Equal(3, await NotifiedAsync());
        var listed = await Client.GetFromJsonAsync<JsonElement>("/api/alerts");
        Assert.True(listed.EnumerateArray().Single(a => a.GetProperty("ruleId").GetInt64() == rule).GetProperty("silenced").GetBoolean());

        // Ended early, on the test's clock (the app's runs half an hour ahead of these rounds).
        Clock.Now = T0.AddMinutes(15.5);
        Assert.True((await AlertService().EndSilenceAsync(silenceId, new Actor("ann@test", Roles.Engineer), CancellationToken.None)).Succeeded);
        await RoundAtAsync(16);
        Assert.Equal(4, await NotifiedAsync()); // the silence ended early: the problem is announced now
        await RoundAtAsync(18);
        Assert.Equal(5, await NotifiedAsync());
        Assert.Equal("ok", (await DeliveriesAsync())[^1].Severity);
        var expired = await Client.GetFromJsonAsync<JsonElement>("/api/silences?expired=true");
        Assert.False(Assert.Single(expired.EnumerateArray()).GetProperty("active").GetBoolean());

        var history = await Client.GetFromJsonAsync<JsonElement>($"/api/alerts/rules/{rule}/history");
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == AlertEventKinds.Fired);
    }

    [Fact]
    public async Task HardCritical_DeclaresIncident_DetectedAtFirstFiring_StartedAtFirstBadMinute()
    {
        const string host = "incident.alerts.test";
        for (var m = 0; m < 10; m++)
        {
            await IngestAsync(host, m, ok: m >= 5 ? 5 : 20, errors: m >= 5 ? 15 : 0);
        }
        var rule = await CreateRatioRuleAsync(host, "Incident 5xx", hardAfter: 2, incidentSeverity: "SEV2");

        await RoundAtAsync(5);
        await RoundAtAsync(6.5); // soft: the first firing
        Assert.False((await InstanceAsync(rule)).Hard);
        await RoundAtAsync(7.5); // hard CRITICAL → incident

        var instance = await InstanceAsync(rule);
        Assert.NotNull(instance.IncidentId);
        await using var db = Database.CreateContext();
        var incident = await db.Incidents.SingleAsync(i => i.Id == instance.IncidentId);
        Assert.Equal((IncidentSeverity.Sev2, T0.AddMinutes(6.5), T0.AddMinutes(5)), (incident.Severity, incident.DetectedAt!.Value, incident.StartedAt));
        Assert.Equal(["alerts-test"], incident.Services);
        Assert.Contains("runbooks/alerts-test", incident.Summary, StringComparison.Ordinal);
        var ticket = await db.Set<Ticket>().SingleAsync(t => t.Key == incident.TicketKey);
        Assert.Equal(TicketType.Alert, ticket.Type);

        var timeline = await Factory.Services.GetRequiredService<IncidentTimeline>().BuildAsync(incident, TimeSpan.FromHours(1));
        Assert.Contains(timeline, t => t.Kind == AlertEventKinds.SoftChanged);
        Assert.Contains(timeline, t => t.Kind == AlertEventKinds.Fired);

        await RoundAtAsync(8.5); // still critical: no second incident
        Assert.Single(await db.Incidents.ToListAsync());
    }

    [Fact]
    public async Task GroupedRule_OneInstancePerHost_GroupThatStopsRecovers()
    {
        for (var m = 0; m < 4; m++)
        {
            await IngestAsync("g1.alerts.test", m, ok: 5, errors: m < 2 ? 5 : 0);
            await IngestAsync("g2.alerts.test", m, ok: 10, errors: 0);
        }
        var rule = await CreateRatioRuleAsync("", "Per host", new
        {
            query = "status:5xx host:g*.alerts.test",
            measure = "Count",
            windowSeconds = 60,
            critical = 3.0,
            groupBy = "host",
        });
        await RoundAtAsync(1);
        Assert.Equal(AlertState.Critical, (await InstanceAsync(rule, "g1.alerts.test")).HardState);
        await RoundAtAsync(3);
        Assert.Equal(AlertState.Ok, (await InstanceAsync(rule, "g1.alerts.test")).HardState);
    }

    [Fact]
    public async Task NoData_QueryThatStops_FiresAndRecoversWhenLinesReturn()
    {
        for (var m = 0; m < 3; m++)
        {
            await IngestAsync("heartbeat.alerts.test", m, ok: 5, errors: 0);
        }
        await IngestAsync("heartbeat.alerts.test", 8, ok: 5, errors: 0);
        var rule = await CreateRatioRuleAsync("", "Heartbeat", new { query = "host:heartbeat.alerts.test", windowSeconds = 60 }, kind: "NoData");
        await RoundAtAsync(2);
        Assert.Equal(AlertState.Ok, (await InstanceAsync(rule)).HardState);
        await RoundAtAsync(5);
        Assert.Equal(AlertState.Critical, (await InstanceAsync(rule)).HardState);
        await RoundAtAsync(9);
        Assert.Equal(AlertState.Ok, (await InstanceAsync(rule)).HardState);
    }

    [Fact]
    public async Task Preview_ReportsWhenTheRuleWouldHaveFired()
    {
        const string host = "backtest.alerts.test";
        for (var m = 0; m < 12; m++)
        {
            await IngestAsync(host, m, ok: 10, errors: m is >= 4 and <= 6 ? 10 : 0);
        }
        var response = await Client.PostAsJsonAsync("/api/alerts/rules/preview", new
        {
            days = 1,
            rule = new
            {
                kind = "Threshold",
                intervalSeconds = 60,
                repeatMinutes = 0,
                spec = new { query = "status:5xx", measure = "Ratio", denominator = $"host:{host}", windowSeconds = 60, critical = 20.0 },
            },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var result = JsonDocument.Parse(body).RootElement;
        var interval = Assert.Single(result.GetProperty("intervals").EnumerateArray());
        Assert.Equal(T0.AddMinutes(5), interval.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(T0.AddMinutes(8), interval.GetProperty("to").GetDateTimeOffset());
        Assert.Equal(2, result.GetProperty("notifications").GetInt32()); // fired + recovered
        Assert.Contains(result.GetProperty("series").EnumerateArray(), p => p.GetProperty("value").ValueKind == JsonValueKind.Number && p.GetProperty("value").GetDouble() == 50);
    }
}
