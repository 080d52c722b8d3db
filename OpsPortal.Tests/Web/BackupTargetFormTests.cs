using Bunit;
using OpsPortal.Core;
using OpsPortal.Core.Backups;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Backups;

namespace OpsPortal.Tests.Web;

/// <summary>The add/edit form of a backup target: field messages are the Core rules' own, schedules preview their next runs.</summary>
public sealed class BackupTargetFormTests : MudComponentTest
{
    [Fact]
    public void Form_CoreRefusesFields_EachMessageBesideItsField()
    {
        var model = new BackupTargetFormModel { Name = "", ConnectionString = "not a connection string", Destination = "relative/path", Schedule = "every day", KeepDaily = -1 };
        model.Freshness.Add(new() { Table = "orders; drop", Column = "created_at" });
        // The same rules the create command (and so POST /api/backups/targets) applies.
        var refusal = Refusal.InvalidFields(BackupTargetRules.Check(model.ToInput(), builtIn: false, creating: true));

        var cut = Ctx.Render<BackupTargetForm>(p => p.Add(x => x.Model, model).Add(x => x.Errors, refusal.Errors).Add(x => x.DefaultFolder, "/tmp"));

        Assert.Equal(["checks.freshness[0]", "connectionString", "destination", "keepDaily", "name", "schedule"], refusal.Errors.Keys.Order(StringComparer.Ordinal));
        foreach (var message in refusal.Errors.Values)
        {
            Assert.Contains(message, cut.Markup, StringComparison.Ordinal);
        }
        Assert.Contains("A name of 1 to 100 characters is required.", FieldText(cut, "target-name"), StringComparison.Ordinal);
    }

    [Fact]
    public void ScheduleField_ValidCron_ShowsNextRuns_InvalidCron_SaysWhyBeforeSaving()
    {
        var model = new BackupTargetFormModel { Schedule = "0 2 * * *", DrillSchedule = "61 * * * *" };

        var cut = Ctx.Render<BackupTargetForm>(p => p.Add(x => x.Model, model).Add(x => x.DefaultFolder, Path.GetTempPath()));

        var schedule = FieldText(cut, "target-schedule");
        Assert.Contains("next: ", schedule, StringComparison.Ordinal);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(schedule, "02:00Z").Count);
        Assert.Contains("A cron expression of 5 fields", FieldText(cut, "target-drill-schedule"), StringComparison.Ordinal);
    }

    [Fact]
    public void Form_Destination_ShowsFreeSpaceOfNearestExistingFolder()
    {
        var model = new BackupTargetFormModel { Destination = Path.Combine(Path.GetTempPath(), "not-yet-created", "backups") };

        var cut = Ctx.Render<BackupTargetForm>(p => p.Add(x => x.Model, model).Add(x => x.MinFreeBytes, long.MaxValue));

        var text = cut.Find("[data-testid=target-free-space]").TextContent;
        Assert.Matches(@"\d+\.\d (kB|MB|GB) free there — less than the .* reserve: backups will be refused", text);
    }

    [Fact]
    public void Form_PgBackRestChosen_AsksForStanzaAndConfig_HidesFolderAndRetention_MessagesBesideThem()
    {
        var model = new BackupTargetFormModel { Name = "main", ConnectionString = "Host=db1;Database=shop", Method = BackupMethods.PgBackRest, Stanza = "bad stanza!", PgBackRestConfig = "/nowhere/pgbackrest.conf" };
        var refusal = Refusal.InvalidFields(BackupTargetRules.Check(model.ToInput(), builtIn: false, creating: true));

        var cut = Ctx.Render<BackupTargetForm>(p => p.Add(x => x.Model, model).Add(x => x.Errors, refusal.Errors).Add(x => x.DefaultFolder, "/tmp"));

        Assert.Equal(["pgBackRestConfig", "stanza"], refusal.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(refusal.Errors["stanza"], FieldText(cut, "target-stanza"), StringComparison.Ordinal);
        Assert.Contains("There is no file /nowhere/pgbackrest.conf", FieldText(cut, "target-pgbackrest-config"), StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=target-destination]"));
        Assert.Empty(cut.FindAll("[data-testid=target-keep-daily]"));
        Assert.Contains("repo1-retention-full", cut.Find("[data-testid=target-pgbackrest-note]").TextContent, StringComparison.Ordinal);

        model.Method = BackupMethods.PgDump;
        cut.Render();

        Assert.Empty(cut.FindAll("[data-testid=target-stanza]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=target-destination]"));
        var input = model.ToInput();
        Assert.Equal((BackupMethods.PgDump, (string?)null, (string?)null), (input.Method, input.Stanza, input.PgBackRestConfig));
    }

    /// <summary>A field's whole text: its label, value, helper and error message.</summary>
    private static string FieldText(IRenderedComponent<BackupTargetForm> cut, string testId) =>
        cut.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.TextContent;

    [Fact]
    public void FormModel_EditWithoutNewConnectionString_SendsNone_SoTheStoredOneStays()
    {
        var target = new BackupTarget { Name = "shop", Destination = "/srv/b", CreatedBy = "a", ProtectedConnectionString = "secret", Checks = new() { Assertions = [new("x", "SELECT true")] } };

        var input = BackupTargetFormModel.From(target).ToInput();

        Assert.Null(input.ConnectionString);
        Assert.Equal("SELECT true", Assert.Single(input.Checks!.Assertions).Sql);
    }
}
