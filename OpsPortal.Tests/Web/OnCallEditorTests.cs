using Bunit;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.OnCall.Escalation;
using OpsPortal.Core.OnCall.Schedules;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Auth;
using OpsPortal.Web.Features.OnCall;

namespace OpsPortal.Tests.Web;

/// <summary>
/// The schedule and policy editors of /oncall on a real database: they save through the same Core commands as the API,
/// show each validation message at its field, refuse a Viewer on the server, and handle a save over a newer version.
/// </summary>
public sealed class OnCallEditorTests : MudComponentTest
{
    private const string Ann = "ann@oncall-editor.test";
    private const string Bob = "bob@oncall-editor.test";
    // Generous: under CI load a save to the real database can take seconds; the test waits no longer than it must.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TestDatabase _db = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _db = await TestDatabase.CreateAsync();
        Ctx.Services.AddCoreForPages(_db.ConnectionString);
        Ctx.Services.AddSingleton<ScheduleService>();
        Ctx.Services.AddSingleton<EscalationPolicies>();
        await using var db = _db.CreateContext();
        foreach (var email in new[] { Ann, Bob })
        {
            db.Users.Add(new AppUser
            {
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                DisplayName = email,
                SecurityStamp = Guid.NewGuid().ToString("N")
            });
        }
        await db.SaveChangesAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private void SignIn(string name, bool engineer)
    {
        var auth = Ctx.AddAuthorization().SetAuthorized(name).SetRoles(Roles.Implied(engineer ? Roles.Engineer : Roles.Viewer).ToArray());
        if (engineer)
        {
            auth.SetPolicies(AuthSetup.EngineerPolicy);
        }
        // Rendering locks the services: everything is registered by now.
        Ctx.Render<MudBlazor.MudPopoverProvider>();
    }

    private static ScheduleForm Weekly(string name, string people) => new()
    {
        Name = name,
        TimeZone = "Europe/Berlin",
        Layers = [new LayerForm { Rotation = "weekly", Start = "2026-12-07T09:00", People = people }],
    };

    private async Task<List<OnCallSchedule>> SchedulesAsync()
    {
        await using var db = _db.CreateContext();
        return await db.Set<OnCallSchedule>().AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task ScheduleEditor_InvalidFields_EachMessageAtItsField_NothingSaved()
    {
        SignIn(Ann, engineer: true);
        var form = Weekly("", "nobody@oncall-editor.test");
        form.TimeZone = "Mars/Olympus";
        form.Layers[0].Rotation = "custom";
        var cut = Ctx.Render<ScheduleEditor>(p => p.Add(x => x.Form, form));

        cut.Find("[data-testid=schedule-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("A schedule needs a name", cut.Markup, StringComparison.Ordinal), Wait);
        Assert.Contains("IANA time zone id", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("needs shiftHours", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("'nobody@oncall-editor.test' is not a user of the portal", cut.Markup, StringComparison.Ordinal);
        // Each message sits under its own field (MudBlazor's error text of that input), not only in a summary.
        Assert.Contains("A schedule needs a name", cut.Find("[data-testid=schedule-name]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(await SchedulesAsync());
    }

    [Fact]
    public async Task ScheduleEditor_Valid_CreatedThroughCore_OnSavedGetsIt()
    {
        SignIn(Ann, engineer: true);
        OnCallSchedule? saved = null;
        var cut = Ctx.Render<ScheduleEditor>(p => p.Add(x => x.Form, Weekly("web primary", $"{Ann}\n{Bob}")).Add(x => x.OnSaved, s => saved = s));

        cut.Find("[data-testid=schedule-save]").Click();

        cut.WaitForAssertion(() => Assert.NotNull(saved), Wait);
        var stored = Assert.Single(await SchedulesAsync());
        Assert.Equal("web primary", stored.Name);
        Assert.Equal([Ann, Bob], stored.Layers.Single().People);
        Assert.Equal(RotationKind.Weekly, stored.Layers.Single().Rotation);
        Assert.Equal(Ann, stored.CreatedBy);
    }

    [Fact]
    public async Task ScheduleEditor_Viewer_RefusedOnTheServer()
    {
        SignIn(Bob, engineer: false);
        var cut = Ctx.Render<ScheduleEditor>(p => p.Add(x => x.Form, Weekly("sneaky", Bob)));

        cut.Find("[data-testid=schedule-save]").Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-refusal]")), Wait);
        Assert.Empty(await SchedulesAsync());
    }

    [Fact]
    public async Task ScheduleEditor_ChangedMeanwhile_ShowsConflict_ThenSavesMineOverTheirs()
    {
        SignIn(Ann, engineer: true);
        var schedules = Ctx.Services.GetRequiredService<ScheduleService>();
        var created = await schedules.CreateAsync(Weekly("db", Ann).ToInput(), new Actor(Ann, Roles.Engineer));
        Assert.True(created.Succeeded, created.Refusal?.Message);
        var mine = ScheduleForm.From(created.Value);
        mine.Layers[0].People = $"{Ann}\n{Bob}";
        var cut = Ctx.Render<ScheduleEditor>(p => p.Add(x => x.Form, mine));
        // Bob saves first.
        var theirs = ScheduleForm.From(created.Value);
        theirs.Description = "Bob's change";
        Assert.True((await schedules.UpdateAsync(created.Value.Id, theirs.ToInput(), new Actor(Bob, Roles.Engineer))).Succeeded);

        cut.Find("[data-testid=schedule-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Changed meanwhile", cut.Find("[data-testid=schedule-refusal]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal([Ann], (await SchedulesAsync()).Single().Layers.Single().People);

        cut.Find("[data-testid=stale-overwrite]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=schedule-refusal]")), Wait);
        var stored = (await SchedulesAsync()).Single();
        Assert.Equal([Ann, Bob], stored.Layers.Single().People);
        Assert.Equal(3, stored.Version);
    }

    [Fact]
    public async Task PolicyEditor_InvalidLevel_MessagesAtTheirFields_ThenValid_SavedWithScheduleAndPersonLevels()
    {
        SignIn(Ann, engineer: true);
        var schedules = Ctx.Services.GetRequiredService<ScheduleService>();
        var schedule = (await schedules.CreateAsync(Weekly("web", Ann).ToInput(), new Actor(Ann, Roles.Engineer))).Value;
        var form = PolicyForm.New(schedule.Id);
        form.Name = "web policy";
        form.Repeat = 1;
        form.Levels[0].TimeoutMinutes = 0;
        form.Levels.Add(new LevelForm { TimeoutMinutes = 10, Targets = [new TargetForm { Kind = "user", Person = "ghost@oncall-editor.test" }] });
        EscalationPolicy? saved = null;
        var cut = Ctx.Render<PolicyEditor>(p => p.Add(x => x.Form, form).Add(x => x.Schedules, new Dictionary<long, string> { [schedule.Id] = schedule.Name })
            .Add(x => x.OnSaved, s => saved = s));

        cut.Find("[data-testid=policy-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Each level needs timeoutMinutes", cut.Markup, StringComparison.Ordinal), Wait);
        Assert.Contains("The person must be a user of the portal",
            cut.Find("[data-testid=target-person]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        await using (var db = _db.CreateContext())
        {
            Assert.False(await db.Set<EscalationPolicy>().AnyAsync());
        }

        form.Levels[0].TimeoutMinutes = 5;
        form.Levels[1].Targets[0].Person = Bob;
        cut.Find("[data-testid=policy-save]").Click();

        cut.WaitForAssertion(() => Assert.NotNull(saved), Wait);
        await using (var db = _db.CreateContext())
        {
            var stored = await db.Set<EscalationPolicy>().AsNoTracking().SingleAsync();
            Assert.Equal("web policy", stored.Name);
            Assert.Equal(1, stored.Repeat);
            Assert.Equal([5, 10], stored.Levels.Select(l => l.TimeoutMinutes));
            Assert.Equal(schedule.Id, stored.Levels[0].Targets.Single().ScheduleId);
            Assert.Equal(Bob, stored.Levels[1].Targets.Single().Person);
        }
    }
}
