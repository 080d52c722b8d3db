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
}
