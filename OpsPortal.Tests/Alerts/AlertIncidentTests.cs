using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Tests.Alerts;

/// <summary>Alert → incident is all or nothing, retried by the next round, and declared once however often it is asked.</summary>
public sealed class AlertIncidentTests : AlertTestBase
{
    private const string Host = "declare.alerts.test";

    [Fact]
    public async Task Declare_IncidentInsertFailsAfterTicket_NothingStored_NextRoundDeclaresOnce()
    {
        for (var m = 0; m < 6; m++)
        {
            await IngestAsync(Host, m, ok: 5, errors: 15);
        }
        var rule = await CreateRatioRuleAsync(Host, "Declare 5xx", incidentSeverity: "SEV2");
        await using (var db = Database.CreateContext())
        {
            // A real failure between the two writes: the ticket is saved, then PostgreSQL refuses the incident row.
            await db.Database.ExecuteSqlRawAsync("""
                CREATE FUNCTION test_refuse_incident() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
                CREATE TRIGGER test_refuse_incident BEFORE INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION test_refuse_incident();
                """);
        }

        Assert.Equal(1, await RoundAtAsync(2)); // hard CRITICAL at once (hardAfter 1): the round is recorded, the declaration fails

        var instance = await InstanceAsync(rule);
        Assert.Equal((true, AlertState.Critical), (instance.Hard, instance.HardState));
        Assert.Null(instance.IncidentId);
        Assert.Equal(0, await AlertTicketsAsync());
        Assert.Equal(0, await IncidentCountAsync());
        Assert.Empty(await EventsAsync(rule, AlertEventKinds.IncidentDeclared));

        await using (var db = Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TRIGGER test_refuse_incident ON incidents; DROP FUNCTION test_refuse_incident();");
        }
        await RoundAtAsync(2.5); // still CRITICAL, still no incident: this round asks again

        instance = await InstanceAsync(rule);
        Assert.NotNull(instance.IncidentId);
        Assert.Equal(1, await AlertTicketsAsync());
        Assert.Equal(1, await IncidentCountAsync());
        Assert.Single(await EventsAsync(rule, AlertEventKinds.IncidentDeclared));
    }

    [Fact]
    public async Task Declare_Refused_RecordedOnceOnTheRule_NotAskedAgainUntilTheRuleChanges()
    {
        for (var m = 0; m < 6; m++)
        {
            await IngestAsync(Host, m, ok: 5, errors: 15);
        }
        var rule = await CreateRatioRuleAsync(Host, "Declare refused", incidentSeverity: "SEV2");
        await using (var db = Database.CreateContext())
        {
            // A service name the incident rules refuse (a catalog entry renamed by hand, say): an answer, not a fault.
            await db.AlertRules.Where(r => r.Id == rule).ExecuteUpdateAsync(s => s.SetProperty(r => r.Service, "no such service!"));
        }

        await RoundAtAsync(2);
        await RoundAtAsync(2.5);
        await RoundAtAsync(3);

        var instance = await InstanceAsync(rule);
        Assert.Equal(AlertState.Critical, instance.HardState);
        Assert.Null(instance.IncidentId);
        Assert.Equal(0, await IncidentCountAsync());
        Assert.Equal(0, await AlertTicketsAsync());
        var refused = Assert.Single(await EventsAsync(rule, AlertEventKinds.IncidentRefused));
        Assert.Contains("no such service!", refused.Summary, StringComparison.Ordinal);

        // Something changes: the rule is edited (its version moves on) — the next round asks once more, and succeeds.
        await using (var db = Database.CreateContext())
        {
            await db.AlertRules.Where(r => r.Id == rule).ExecuteUpdateAsync(s => s.SetProperty(r => r.Service, Service).SetProperty(r => r.Version, r => r.Version + 1));
        }
        await RoundAtAsync(3.5);

        Assert.NotNull((await InstanceAsync(rule)).IncidentId);
        Assert.Equal(1, await IncidentCountAsync());
        Assert.Single(await EventsAsync(rule, AlertEventKinds.IncidentRefused));
    }

    [Fact]
    public async Task Declare_TwoNodesAskAtOnce_OneIncidentOneTicket()
    {
        for (var m = 0; m < 3; m++)
        {
            await IngestAsync(Host, m, ok: 5, errors: 15);
        }
        // Firing without its incident, as after a crash between the round and the declaration: the rule gains its severity afterwards.
        var rule = await CreateRatioRuleAsync(Host, "Declare twice");
        await RoundAtAsync(2);
        await using (var db = Database.CreateContext())
        {
            await db.AlertRules.Where(r => r.Id == rule).ExecuteUpdateAsync(s => s.SetProperty(r => r.IncidentSeverity, "SEV3"));
        }
        var id = (await InstanceAsync(rule)).Id;

        var declared = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Incidents.DeclareAsync(id, CancellationToken.None))));

        Assert.Single(declared, d => d);
        Assert.Equal(1, await AlertTicketsAsync());
        Assert.Equal(1, await IncidentCountAsync());
    }

    [Fact]
    public async Task Recovery_ClearsTheIncident_NextFiringDeclaresItsOwn()
    {
        await IngestAsync(Host, 0, ok: 5, errors: 15);
        await IngestAsync(Host, 1, ok: 5, errors: 15);
        await IngestAsync(Host, 3, ok: 20, errors: 0);
        await IngestAsync(Host, 5, ok: 5, errors: 15);
        var rule = await CreateRatioRuleAsync(Host, "Declare per firing", incidentSeverity: "SEV4");

        await RoundAtAsync(2);
        var first = (await InstanceAsync(rule)).IncidentId;
        Assert.NotNull(first);
        await RoundAtAsync(4); // minute 3 is clean: recovery
        Assert.Null((await InstanceAsync(rule)).IncidentId);
        await RoundAtAsync(6);

        var second = (await InstanceAsync(rule)).IncidentId;
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Equal(2, await IncidentCountAsync());
    }

    private async Task<int> AlertTicketsAsync()
    {
        await using var db = Database.CreateContext();
        return await db.Set<Ticket>().CountAsync(t => t.Type == TicketType.Alert);
    }

    private async Task<int> IncidentCountAsync()
    {
        await using var db = Database.CreateContext();
        return await db.Incidents.CountAsync();
    }
}
