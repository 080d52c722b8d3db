using System.Globalization;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.E2E;

public sealed class IncidentTests(PortalFixture portal) : BrowserTest(portal)
{
    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// The whole run of an incident in the browser: declare from the app bar with a backdated impact,
    /// acknowledge, add a backdated note, see a deploy of the service arrive live, mitigate, resolve,
    /// review the timeline, and see the metrics page count it.
    /// </summary>
    [Fact]
    public async Task Declare_Acknowledge_Note_Mitigate_Resolve_Review_MetricsChange()
    {
        var service = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/incidents/metrics");
        await WaitForInteractiveAsync(Page);
        var mttrBefore = await Page.GetByTestId("metric-mttr").GetByTestId("metric-samples").InnerTextAsync();

        await Page.GetByTestId("declare-incident-appbar").ClickAsync();
        await Page.GetByTestId("declare-title").FillAsync("Checkout returns 502");
        await Page.GetByTestId("declare-services").FillAsync(service);
        await Page.GetByTestId("declare-started").FillAsync(Utc(now.AddMinutes(-20)));
        await Page.GetByTestId("declare-started").BlurAsync();
        await Page.GetByTestId("declare-submit").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("incident-header")).ToContainTextAsync("Checkout returns 502");
        await Assertions.Expect(Page.GetByTestId("incident-status")).ToHaveTextAsync("Investigating");
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/incidents/\d+$"));
        var id = long.Parse(Page.Url.Split('/')[^1], CultureInfo.InvariantCulture);

        await Page.GetByTestId("action-acknowledge").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("time-acknowledgedAt").GetByTestId("time-value")).Not.ToHaveTextAsync("—");

        await Page.GetByTestId("note-text").FillAsync("LB shows 502 from the checkout pool");
        await Page.GetByTestId("note-at").FillAsync(Utc(now.AddMinutes(-15)));
        await Page.GetByTestId("note-at").BlurAsync();
        await Page.GetByTestId("note-add").ClickAsync();
        var note = Page.GetByTestId("timeline-item").Filter(new() { HasText = "LB shows 502 from the checkout pool" });
        await Assertions.Expect(note).ToContainTextAsync("backdated");
        await Assertions.Expect(note).ToContainTextAsync(Utc(now.AddMinutes(-15))[..16]);

        // A deploy of the service, written to the spine as the deploy runner writes it: it arrives live.
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OpsDbContext>();
            scope.ServiceProvider.GetRequiredService<EventLog>().Append(db, "deployer@e2e.test", "deploy.started", "deploy", "9001",
                $"deployer@e2e.test started deploy of {service}/production 2.0.1", service);
            await db.SaveChangesAsync();
        }
        await Assertions.Expect(Page.Locator("[data-testid=timeline-item][data-category=deploy]")).ToContainTextAsync("2.0.1");

        await Page.GetByTestId("action-mitigate").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("incident-status")).ToHaveTextAsync("Mitigated");
        await Page.GetByTestId("action-resolve").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("incident-status")).ToHaveTextAsync("Resolved");
        await Assertions.Expect(Page.GetByTestId("duration-ttr")).ToContainTextAsync("min");

        await Page.GetByTestId("open-review").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("traffic")).ToBeVisibleAsync();
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/incidents/{id}/review$"));
        await WaitForInteractiveAsync(Page);
        var deploys = Page.Locator("[data-testid=timeline-item][data-category=deploy]");
        await Assertions.Expect(deploys).ToHaveCountAsync(1);
        await Assertions.Expect(Page.Locator("[data-testid=timeline-item][data-kind='incident.resolved']")).ToHaveCountAsync(1);
        await Page.GetByTestId("filter-deploy").ClickAsync();
        await Assertions.Expect(deploys).ToHaveCountAsync(0);

        await Page.GotoAsync("/incidents/metrics");
        await Assertions.Expect(Page.GetByTestId("metric-mttr").GetByTestId("metric-samples")).Not.ToHaveTextAsync(mttrBefore);
        await Assertions.Expect(Page.GetByTestId("metric-mttr").GetByTestId("metric-definition")).ToContainTextAsync("resolved − impact started");
        Assert.Empty(ConsoleErrors);
    }
}
