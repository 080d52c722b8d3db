using OpsPortal.Core.Auth;
using OpsPortal.Core.Incidents;
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
        await Assertions.Expect(Page.GetByTestId("deploy-from-to")).ToHaveTextAsync("1.1 → 1.0-medium");
        await Page.GetByTestId("deploy-confirm").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("deploy-version")).ToHaveTextAsync("1.0-medium");
        await Assertions.Expect(Page.GetByTestId("deploy-status")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(Page.GetByTestId("deploy-output")).ToContainTextAsync("rolling back to 1.0-medium from 1.1 action=rollback");
        Assert.Empty(ConsoleErrors);
    }

    private async Task OpenBoardAsync()
    {
        await Page.GotoAsync("/deploys");
        await Assertions.Expect(Page.GetByTestId("deploys-page")).ToHaveAttributeAsync("data-interactive", "true");
    }

    [Fact]
    public async Task DeployDialog_OpensWithVersionFocused_VersionRequiredOnlyAfterTyping()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await OpenBoardAsync();
        await Page.Locator("[data-target='web/staging']").GetByTestId("target-deploy").ClickAsync();

        var dialog = Page.GetByTestId("deploy-dialog");
        var version = Page.Locator(".mud-dialog input").First;
        await Assertions.Expect(version).ToBeFocusedAsync();
        // The versions list has loaded (its helper text shows) and focus has settled: nothing typed, nothing red.
        await Assertions.Expect(dialog).ToContainTextAsync("Pick one, or type any version.");
        await Assertions.Expect(dialog).Not.ToContainTextAsync("A version is required.");

        await Page.Keyboard.TypeAsync("1");
        await Page.Keyboard.PressAsync("Backspace");
        await Assertions.Expect(dialog).ToContainTextAsync("A version is required.");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "DeployDialog-required.png") });
    }

    [Fact]
    public async Task Deploy_WhileOutputStreams_StatusChipSaysRunning()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await OpenBoardAsync();
        await Page.Locator("[data-target='web/production']").GetByTestId("target-deploy").ClickAsync();
        await Page.Locator(".mud-dialog input").First.FillAsync("2.0-slow");
        await Assertions.Expect(Page.GetByTestId("deploy-confirmation")).ToContainTextAsync("OPS_VERSION=2.0-slow");
        await Page.GetByTestId("deploy-confirm").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("deploy-version")).ToHaveTextAsync("2.0-slow");
        await Assertions.Expect(Page.GetByTestId("deploy-output")).ToContainTextAsync("tick 3");
        // The script runs for a minute: the chip must say so while its output streams, not stay "queued".
        await Assertions.Expect(Page.GetByTestId("deploy-status")).ToHaveAttributeAsync("data-status", "running");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "DeployPage-running.png") });

        await Page.GetByTestId("deploy-cancel").ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Cancel the deploy" }).ClickAsync();
        await Assertions.Expect(Page.GetByTestId("deploy-status")).ToHaveAttributeAsync("data-status", "cancelled");
    }

    [Fact]
    public async Task OpenSev2OnService_BoardWarns_DeployRefusalSaysWhatToDoInWords()
    {
        var incidents = Portal.Services.GetRequiredService<IncidentService>();
        var admin = new Actor(PortalFixture.AdminEmail, Roles.Admin);
        var declared = await incidents.DeclareAsync(new DeclareIncident { Title = "web checkout errors", Severity = "SEV2", Services = ["web"] }, admin);
        var incident = declared.Value!;
        try
        {
            await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
            await OpenBoardAsync();
            var warning = Page.GetByTestId("deploy-incident-warning").Filter(new() { HasText = $"#{incident.Id}" });
            await Assertions.Expect(warning).ToContainTextAsync("SEV2");
            await Assertions.Expect(warning).ToHaveAttributeAsync("data-service", "web");

            await Page.Locator("[data-target='web/staging']").GetByTestId("target-deploy").ClickAsync();
            await Page.Locator(".mud-dialog input").First.FillAsync("3.0");
            await Page.GetByTestId("deploy-confirm").ClickAsync();
            var refusal = Page.GetByTestId("deploy-refusal");
            await Assertions.Expect(refusal).ToContainTextAsync("give a reason for the override");
            await Assertions.Expect(refusal).Not.ToContainTextAsync("overrideReason");
            await Assertions.Expect(Page.GetByTestId("deploy-override-reason")).ToBeVisibleAsync();
            await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "DeployDialog-interlock.png") });
            await Page.Keyboard.PressAsync("Escape");

            // Resolved elsewhere: the warning goes without a reload.
            await incidents.SetStatusAsync(incident.Id, IncidentStatus.Resolved, admin);
            await Assertions.Expect(warning).ToHaveCountAsync(0);
            await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "DeploysPage.png") });
        }
        finally
        {
            await incidents.SetStatusAsync(incident.Id, IncidentStatus.Resolved, admin);
        }
    }

    [Fact]
    public async Task RollbackAfterFailedDeploy_DialogReadsFromTheFailedVersionToTheLastGood()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        var audited = Page.Locator("[data-target='web/audited']");
        foreach (var (version, status) in new[] { ("1.4.0", "succeeded"), ("1.5.0-bad", "failed") })
        {
            await OpenBoardAsync();
            await audited.GetByTestId("target-deploy").ClickAsync();
            await Page.Locator(".mud-dialog input").First.FillAsync(version);
            await Assertions.Expect(Page.GetByTestId("deploy-confirmation")).ToContainTextAsync($"OPS_VERSION={version}");
            await Page.GetByTestId("deploy-confirm").ClickAsync();
            await Assertions.Expect(Page.GetByTestId("deploy-version")).ToHaveTextAsync(version);
            await Assertions.Expect(Page.GetByTestId("deploy-status")).ToHaveAttributeAsync("data-status", status);
        }

        await Assertions.Expect(Page.GetByTestId("deploy-page")).ToHaveAttributeAsync("data-interactive", "true");
        await Page.GetByTestId("deploy-rollback").ClickAsync();

        // The failed script ran, so 1.5.0-bad may be half in place: the rollback goes from it, not "1.4.0 → 1.4.0".
        await Assertions.Expect(Page.GetByTestId("deploy-from-to")).ToHaveTextAsync("1.5.0-bad → 1.4.0");
        await Assertions.Expect(Page.GetByTestId("deploy-confirmation")).ToContainTextAsync("OPS_PREVIOUS_VERSION=1.5.0-bad");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "DeployDialog-rollback.png") });
    }

    [Fact]
    public async Task DeployButton_EnterBeforeThePageIsInteractive_OpensTheDialog()
    {
        // The cause of "Enter on a focused Deploy button did nothing": the page shows (prerendered) before its
        // buttons work, and a press in that time went nowhere. It is kept and pressed again once they work.
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await HoldBackCircuitsAsync();
        await OpenBeforeInteractiveAsync("/deploys");

        await Page.Locator("[data-target='web/staging']").GetByTestId("target-deploy").FocusAsync();
        await Page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(Page.GetByTestId("deploy-dialog")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator(".mud-dialog input").First).ToBeFocusedAsync();
        await Assertions.Expect(Page.GetByTestId("deploy-dialog")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task DeployButton_EnterWhenFocused_OpensTheDialog()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await OpenBoardAsync();

        await Page.Locator("[data-target='web/staging']").GetByTestId("target-deploy").FocusAsync();
        await Page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(Page.GetByTestId("deploy-dialog")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator(".mud-dialog input").First).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Home_TargetLockedElsewhere_ShowsTheLockWithoutReload()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Assertions.Expect(Page.GetByTestId("deploys-card")).ToBeVisibleAsync();
        var locks = Portal.Services.GetRequiredService<OpsPortal.Core.Deploys.DeployLocks>();
        var admin = new Actor(PortalFixture.AdminEmail, Roles.Admin);

        var held = await locks.LockAsync(admin, "web", "production", "database migration in progress");
        Assert.True(held.Succeeded, held.Refusal?.Message);
        try
        {
            var shown = Page.Locator("[data-testid=home-lock][data-target='web/production']");
            await Assertions.Expect(shown).ToContainTextAsync("database migration in progress");
            await Assertions.Expect(shown).ToContainTextAsync(PortalFixture.AdminEmail);
        }
        finally
        {
            await locks.UnlockAsync(admin, held.Value!.Id);
        }
        await Assertions.Expect(Page.GetByTestId("home-lock")).ToHaveCountAsync(0);
    }
}
