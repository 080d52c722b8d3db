using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Backups;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Alerts;

/// <summary>A rule of kind FeatureCheck watching "backups": a target whose backup failed fires (notified, incident), and recovers with a good backup.</summary>
public sealed class FeatureCheckAlertTests : AlertTestBase
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsportal-alert-backups-").FullName;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>(base.Settings!)
    {
        ["OpsPortal:Backups:Folder"] = _folder,
        ["OpsPortal:Backups:MinFreeMegabytes"] = "1",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task BackupsCheck_FailedBackup_FiresNotifiesAndDeclares_GoodBackupRecovers()
    {
        var admin = new Actor(AdminEmail, Roles.Admin);
        var targets = Factory.Services.GetRequiredService<BackupTargets>();
        var runner = Factory.Services.GetRequiredService<BackupRunner>();
        await targets.EnsureBuiltInAsync(CancellationToken.None);
        var target = (await targets.CreateAsync(admin, new BackupTargetInput("orders-db", "Host=127.0.0.1;Port=1;Database=gone;Username=u;Password=p", _folder, null, null),
            CancellationToken.None)).Value;
        var (webhook, _) = await RouteToChannelsAsync();
        var rule = await CreateRatioRuleAsync("", "Backups need attention", new { check = "backups" }, incidentSeverity: "SEV3", kind: "FeatureCheck");

        await RoundAtAsync(1);
        Assert.Equal(AlertState.Ok, (await InstanceAsync(rule, "orders-db")).HardState);
        Assert.Equal(AlertState.Ok, (await InstanceAsync(rule, BackupTargets.PortalName)).HardState);

        await runner.RunAsync((await runner.QueueAsync(admin, target.Id, "manual", CancellationToken.None)).Value.Id, CancellationToken.None);
        await RoundAtAsync(2);

        var firing = await InstanceAsync(rule, "orders-db");
        Assert.Equal(AlertState.Critical, firing.HardState);
        Assert.Contains("the last backup", firing.Message, StringComparison.Ordinal);
        Assert.NotNull(firing.IncidentId);
        Assert.Equal(AlertState.Ok, (await InstanceAsync(rule, BackupTargets.PortalName)).HardState);
        Assert.Single(await EventsAsync(rule, AlertEventKinds.Fired));
        Assert.Contains(await DeliveriesAsync(), d => d.ChannelId == webhook);

        // The database is back (the real one): a good backup, and the alert recovers.
        var good = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = Database.Name }.ConnectionString;
        Assert.True((await targets.UpdateAsync(admin, target.Id, new BackupTargetInput("orders-db", good, _folder, null, null), CancellationToken.None)).Succeeded);
        await runner.RunAsync((await runner.QueueAsync(admin, target.Id, "manual", CancellationToken.None)).Value.Id, CancellationToken.None);
        await RoundAtAsync(3);

        Assert.Equal(AlertState.Ok, (await InstanceAsync(rule, "orders-db")).HardState);
        Assert.Single(await EventsAsync(rule, AlertEventKinds.Recovered));
    }

    [Fact]
    public async Task FeatureCheckRule_UnknownOrMissingCheckName_RefusedOrUnknown()
    {
        var refused = await Client.PostAsJsonAsync("/api/alerts/rules", new { name = "x", service = Service, kind = "FeatureCheck", intervalSeconds = 10, spec = new { check = "Not A Name!" } });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("spec.check", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var rule = await CreateRatioRuleAsync("", "Typo", new { check = "backupz" }, kind: "FeatureCheck");
        await RoundAtAsync(1);
        var instance = await InstanceAsync(rule);
        Assert.Equal(AlertState.Unknown, instance.HardState);
        Assert.Contains("no feature check named backupz (known: backups)", instance.Message, StringComparison.Ordinal);
    }
}
