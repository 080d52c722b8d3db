using OpsPortal.Tests.Deploys;

namespace OpsPortal.E2E;

/// <summary>A portal with Hangfire workers and a deploy configuration of real scripts.</summary>
public sealed class DeployPortalFixture : PortalFixture
{
    public DeployFixture Deploys { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings => Deploys.Settings(runJobs: true);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Deploys.Dispose();
    }
}

public sealed class DeployTests(DeployPortalFixture portal) : BrowserTest(portal), IClassFixture<DeployPortalFixture>
{
    [Fact]
    public async Task Deploy_TwoViewersWatchLiveOutput_ThenRollback()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await using var other = await Portal.Browser.NewContextAsync(new() { BaseURL = Portal.BaseUrl });
        var watcher = await NewPageAsync(other);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, watcher);
        await watcher.GotoAsync("/deploys");
        await Assertions.Expect(watcher.GetByTestId("deploys-page")).ToHaveAttributeAsync("data-interactive", "true");

        await Page.GotoAsync("/deploys");
        await Assertions.Expect(Page.GetByTestId("deploys-page")).ToHaveAttributeAsync("data-interactive", "true");
        var staging = Page.Locator("[data-target='web/staging']");
        await staging.GetByTestId("target-deploy").ClickAsync();
        await Page.Locator(".mud-dialog input").First.FillAsync("1.0-medium");
        await Assertions.Expect(Page.GetByTestId("deploy-confirmation")).ToContainTextAsync("OPS_VERSION=1.0-medium");
        await Assertions.Expect(Page.GetByTestId("deploy-confirmation")).ToContainTextAsync("deploy.sh");
        await Page.GetByTestId("deploy-confirm").ClickAsync();

        // The deployer lands on the deploy's page; the other viewer sees the board change live and follows.
        await Assertions.Expect(Page.GetByTestId("deploy-page")).ToHaveAttributeAsync("data-interactive", "true");
        await watcher.Locator("[data-target='web/staging']").GetByTestId("target-active").ClickAsync();
        foreach (var viewer in new[] { Page, watcher })
        {
            var output = viewer.GetByTestId("deploy-output");
            await Assertions.Expect(output).ToHaveAttributeAsync("data-live", "true");
            await Assertions.Expect(output).ToContainTextAsync("step 1", new() { Timeout = 20_000 });
        }
        foreach (var viewer in new[] { Page, watcher })
        {
            await Assertions.Expect(viewer.GetByTestId("deploy-status")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 });
            await Assertions.Expect(viewer.GetByTestId("deploy-output")).ToContainTextAsync("done");
            await Assertions.Expect(viewer.GetByTestId("deploy-output")).ToHaveAttributeAsync("data-lines", "65");
        }

        // A second version, then Rollback from its page goes back to the first.
        await Page.GotoAsync("/deploys");
        await Assertions.Expect(Page.GetByTestId("deploys-page")).ToHaveAttributeAsync("data-interactive", "true");
        await staging.GetByTestId("target-deploy").ClickAsync();
        await Page.Locator(".mud-dialog input").First.FillAsync("1.1");
        await Page.GetByTestId("deploy-confirm").ClickAsync();
        // The board shows status chips too: wait for the new deploy's own page before reading its status.
        await Assertions.Expect(Page.GetByTestId("deploy-version")).ToHaveTextAsync("1.1");
        await Assertions.Expect(Page.GetByTestId("deploy-page")).ToHaveAttributeAsync("data-interactive", "true");
        await Assertions.Expect(Page.GetByTestId("deploy-status")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 });
        await Page.GetByTestId("deploy-rollback").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("deploy-confirmation")).ToContainTextAsync("OPS_VERSION=1.0-medium");
        await Assertions.Expect(Page.GetByTestId("deploy-confirmation")).ToContainTextAsync("OPS_ACTION=rollback");
        await Page.GetByTestId("deploy-confirm").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("deploy-version")).ToHaveTextAsync("1.0-medium");
        await Assertions.Expect(Page.GetByTestId("deploy-status")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(Page.GetByTestId("deploy-output")).ToContainTextAsync("rolling back to 1.0-medium from 1.1 action=rollback");
        Assert.Empty(ConsoleErrors);
    }
}
