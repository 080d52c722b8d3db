using OpsPortal.Core.Auth;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.OnCall.Escalation;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Core.OnCall.Schedules;
using OpsPortal.Core.Services;

namespace OpsPortal.E2E;

public sealed class OnCallTests(PortalFixture portal) : BrowserTest(portal)
{
    // Runs before the portal's scripts: every notification the page creates is recorded (the real one is still made).
    private const string RecordNotifications = """
        window.__opsNotifications = [];
        (() => {
          const Real = window.Notification;
          if (!Real) { return; }
          function Recorded(title, options) {
            window.__opsNotifications.push({ title, body: options && options.body, tag: options && options.tag });
            return new Real(title, options);
          }
          Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
          Recorded.requestPermission = (...args) => Real.requestPermission(...args);
          window.Notification = Recorded;
        })();
        """;

    /// <summary>
    /// The on-call person is signed in with notifications allowed: a SEV1 incident of a service whose policy pages
    /// their schedule shows a desktop notification, the app bar says they are paged, and acknowledging on the
    /// On-call page ends the page and acknowledges the incident.
    /// </summary>
    [Fact]
    public async Task PageForSignedInPerson_ShowsBrowserNotification_AcknowledgedInApp()
    {
        var name = "e2e-oncall-" + Guid.NewGuid().ToString("N")[..8];
        var me = PortalFixture.AdminEmail;
        var system = Actor.System("e2e");
        var services = Portal.Services;
        var schedule = await services.GetRequiredService<ScheduleService>().CreateAsync(
            new ScheduleInput(name, null, "Europe/Berlin", [new LayerInput("weekly", "weekly", null, "2026-01-05T09:00", [me])]), system);
        Assert.True(schedule.Succeeded, schedule.Refusal?.Message);
        var policy = await services.GetRequiredService<EscalationPolicies>().SaveAsync(null,
            new PolicyInput(name, null, [new LevelInput(30, [new TargetInput("schedule", ScheduleId: schedule.Value.Id)])]), system);
        Assert.True(policy.Succeeded, policy.Refusal?.Message);
        var service = await services.GetRequiredService<ServiceCatalog>().SaveAsync(system, name,
            new ServiceInput("e2e on-call", [], null, [], null, [], EscalationPolicy: name));
        Assert.True(service.Succeeded, service.Refusal?.Message);

        await Context.GrantPermissionsAsync(["notifications"], new() { Origin = Portal.BaseUrl });
        await Context.AddInitScriptAsync(RecordNotifications);
        await SignInAsync(me, PortalFixture.AdminPassword);
        await Page.GotoAsync("/oncall");
        await Assertions.Expect(Page.Locator("[data-testid=oncall-page][data-interactive=true]")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("appbar-oncall")).ToBeVisibleAsync();
        var row = Page.GetByTestId("oncall-now-row").Filter(new() { HasText = name });
        await Assertions.Expect(row.GetByTestId("oncall-now-person")).ToContainTextAsync(me);
        await Assertions.Expect(Page.GetByTestId("oncall-calendar").Filter(new() { HasText = name }).GetByTestId("oncall-cal-final")).ToContainTextAsync("admin");

        var title = "Checkout down " + name;
        var incident = await services.GetRequiredService<IncidentService>().DeclareAsync(
            new DeclareIncident { Title = title, Severity = "SEV1", Services = [name] }, new Actor("someone@e2e.test", Roles.Engineer));
        Assert.True(incident.Succeeded, incident.Refusal?.Message);

        await Assertions.Expect(Page.GetByTestId("appbar-paged")).ToContainTextAsync("Paged (1)");
        await Page.WaitForFunctionAsync("t => window.__opsNotifications.some(n => n.title.includes(t))", title);

        var item = Page.GetByTestId("page-item").Filter(new() { HasText = title });
        await item.GetByTestId("page-ack").ClickAsync();
        await Assertions.Expect(item.GetByTestId("page-status")).ToHaveTextAsync("Acknowledged");
        await Assertions.Expect(item).ToContainTextAsync($"acknowledged by {me} (app)");
        await Assertions.Expect(Page.GetByTestId("appbar-paged")).ToHaveCountAsync(0);

        var page = await services.GetRequiredService<PageLog>().ListAsync(10);
        var acknowledged = Assert.Single(page, p => p.Page.Summary.Contains(title, StringComparison.Ordinal)).Page;
        Assert.Equal(PageStatus.Acknowledged, acknowledged.Status);
        var declared = await services.GetRequiredService<IncidentQueries>().GetAsync(incident.Value.Id);
        Assert.NotNull(declared?.AcknowledgedAt);

        // Who is on call, where people look: the service page and Home.
        await Page.GotoAsync($"/services/{name}");
        await Assertions.Expect(Page.GetByTestId("service-oncall-people")).ToContainTextAsync(me);
        await Page.GotoAsync("/");
        await Assertions.Expect(Page.GetByTestId("oncall-card-item").Filter(new() { HasText = name })).ToContainTextAsync(me);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName, "OnCallHome.png") });
    }

    /// <summary>
    /// An Engineer creates a schedule and an escalation policy on /oncall (no API call): the schedule shows who is on
    /// call now, the policy pages it, and both are stored as the API would store them.
    /// </summary>
    [Fact]
    public async Task ScheduleAndPolicy_CreatedInTheUi_ShowWhoIsOnCallNow()
    {
        var name = "e2e-ui-" + Guid.NewGuid().ToString("N")[..8];
        var me = PortalFixture.AdminEmail;
        await SignInAsync(me, PortalFixture.AdminPassword);
        await Page.GotoAsync("/oncall");
        await Assertions.Expect(Page.Locator("[data-testid=oncall-page][data-interactive=true]")).ToBeVisibleAsync();

        await Page.GetByTestId("schedule-new").ClickAsync();
        var editor = Page.GetByTestId("schedule-editor");
        await editor.GetByTestId("schedule-name").FillAsync(name);
        await editor.GetByTestId("schedule-zone").FillAsync("Europe/Berlin");
        await editor.GetByTestId("layer-start").FillAsync("2026-01-05T09:00");
        await editor.GetByTestId("layer-people").FillAsync(me);
        await editor.GetByTestId("layer-people").BlurAsync();
        await editor.GetByTestId("schedule-save").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("schedule-editor")).ToHaveCountAsync(0);
        var row = Page.GetByTestId("oncall-now-row").Filter(new() { HasText = name });
        await Assertions.Expect(row.GetByTestId("oncall-now-person")).ToContainTextAsync(me);

        await Page.GetByTestId("policy-new").ClickAsync();
        var policyEditor = Page.GetByTestId("policy-editor");
        await policyEditor.GetByTestId("policy-name").FillAsync(name);
        await policyEditor.GetByTestId("level-timeout").FillAsync("1");
        await policyEditor.GetByTestId("target-schedule").ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = name }).ClickAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName, "OnCallPolicyEditor.png"), FullPage = true });
        await policyEditor.GetByTestId("policy-save").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("policy-editor")).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByTestId("oncall-policy").Filter(new() { HasText = name })).ToContainTextAsync($"schedule {name} — 1 min unacknowledged");
        var schedule = Assert.Single(await Portal.Services.GetRequiredService<ScheduleService>().ListAsync(), s => s.Name == name);
        Assert.Equal([me], schedule.Layers.Single().People);
        Assert.Equal(me, schedule.CreatedBy);
        var policy = Assert.Single(await Portal.Services.GetRequiredService<EscalationPolicies>().ListAsync(), p => p.Name == name);
        Assert.Equal(schedule.Id, policy.Levels.Single().Targets.Single().ScheduleId);
        Assert.Equal(1, policy.Levels.Single().TimeoutMinutes);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "OnCallCreatedInUi.png"), FullPage = true });
    }
}
