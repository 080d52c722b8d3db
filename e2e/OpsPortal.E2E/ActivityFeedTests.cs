using System.Diagnostics;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.E2E;

public sealed class ActivityFeedTests(PortalFixture portal) : BrowserTest(portal)
{
    /// <summary>
    /// A second OS process (the app's own CLI) writes to the same database; the open browser on the
    /// first process must show the event within seconds of that write being committed. Pushed through
    /// LISTEN/NOTIFY it takes well under a second on a quiet machine; the bound is 5 s so a loaded CI
    /// machine does not fail it, and it still fails a feed that only polls or does not update.
    /// </summary>
    [Fact]
    public async Task EventFromSecondProcess_AppearsInOpenFeedWithinSeconds()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Assertions.Expect(Page.GetByText("live", new() { Exact = true })).ToBeVisibleAsync();
        var email = $"second-{Guid.NewGuid():N}"[..15] + "@e2e.test";

        var cli = await Cli.RunAsync(Portal.Database.ConnectionString,
            new Dictionary<string, string> { ["OPSPORTAL_NEW_PASSWORD"] = "Second-process-1" }, "add-user", email, "Viewer");
        Assert.True(cli.ExitCode == 0, cli.Error);
        var committedAt = cli.ExitedAt;

        await Assertions.Expect(Page.GetByTestId("activity-feed")).ToContainTextAsync($"created user {email}", new() { Timeout = 5000 });
        var seenAfter = Stopwatch.GetElapsedTime(committedAt);
        Assert.True(seenAfter < TimeSpan.FromSeconds(5), $"seen {seenAfter.TotalMilliseconds:F0} ms after commit");
    }

    [Fact]
    public async Task Admin_CreatesUserInUi_FeedShowsIt()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/admin/users");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("user-add").ClickAsync();
        await Page.GetByTestId("new-user-email").FillAsync("ui-made@e2e.test");
        await Page.GetByTestId("new-user-password").FillAsync("Uimade-password-1");
        await Page.GetByTestId("new-user-password").BlurAsync();
        await Page.GetByTestId("new-user-submit").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("user-table")).ToContainTextAsync("ui-made@e2e.test");
        await Page.GotoAsync("/");
        await Assertions.Expect(Page.GetByTestId("activity-feed")).ToContainTextAsync("created user ui-made@e2e.test");
    }
}
