using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using OpsPortal.Core.Auth;

namespace OpsPortal.E2E;

/// <summary>
/// axe-core on every page in both themes finds nothing serious or critical (contrast in dark mode
/// included); a skip link leads past the navigation; the focused control shows a ring.
/// </summary>
public sealed class AccessibilityTests(PortalFixture portal) : BrowserTest(portal)
{
    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task EveryPage_InTheme_HasNoSeriousAxeViolations(string theme)
    {
        var pages = await PageTour.PagesAsync(Portal);
        // A user of their own: with no saved theme the portal follows the system's, which the browser emulates.
        var email = $"a11y-{theme}@e2e.test";
        await Portal.CreateUserAsync(email, "A11y-password-1", Roles.Admin);
        await Page.EmulateMediaAsync(new() { ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light });
        await SignInAsync(email, "A11y-password-1");

        var found = new List<string>();
        foreach (var address in pages)
        {
            await Page.GotoAsync(address);
            await Page.Locator(".mud-layout[data-interactive=true]").WaitForAsync();
            await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await Assertions.Expect(Page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("data-theme", theme);
            // A page that follows the system's theme paints light first and then fades its buttons to the dark
            // palette; axe measuring mid-fade reports colours no one sees at rest.
            await Page.WaitForFunctionAsync("() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')");
            var result = await Page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
            found.AddRange(result.Violations
                .Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{address}: {v.Impact} {v.Id} ({v.Help}) at "
                    + string.Join(" | ", v.Nodes.Take(4).Select(n => (n.Html.Length > 120 ? n.Html[..120] : n.Html) + " " + n.Any?.FirstOrDefault()?.Message))));
        }

        Assert.True(found.Count == 0, $"axe-core ({theme} theme) found:\n" + string.Join('\n', found));
    }

    [Fact]
    public async Task SkipLink_IsTheFirstTab_AndMovesFocusToTheContent()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/tickets");
        await WaitForInteractiveAsync(Page);

        await Page.Keyboard.PressAsync("Tab");
        var skip = Page.GetByTestId("skip-link");
        await Assertions.Expect(skip).ToBeFocusedAsync();
        await Assertions.Expect(skip).ToBeVisibleAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(Page.Locator("#main-content")).ToBeFocusedAsync();

        // The next Tab goes into the page, not back to the app bar or the navigation.
        await Page.Keyboard.PressAsync("Tab");
        var inMain = await Page.EvaluateAsync<bool>("() => document.getElementById('main-content').contains(document.activeElement)");
        Assert.True(inMain, "After the skip link, Tab should stay in the page's content.");
    }

    [Fact]
    public async Task FocusedButton_ShowsAVisibleRing()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/tickets");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("theme-toggle").FocusAsync();
        await Page.Keyboard.PressAsync("Shift+Tab");
        await Page.Keyboard.PressAsync("Tab");

        var ring = await Page.EvaluateAsync<string>("""
            () => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; }
            """);
        Assert.StartsWith("solid", ring, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0px", ring, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DarkSystem_WithNoSavedTheme_GetsADarkFirstPaint()
    {
        await Portal.CreateUserAsync("system-dark@e2e.test", "Dark-password-1", Roles.Viewer);
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await SignInAsync("system-dark@e2e.test", "Dark-password-1");
        await Page.GotoAsync("/tickets");
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(Page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("data-theme", "dark");

        // The server's HTML, before any script runs, is what the browser paints first.
        var html = await (await Page.Context.APIRequest.GetAsync("/tickets")).TextAsync();
        Assert.Contains("theme-dark", html, StringComparison.Ordinal);
        Assert.DoesNotContain("theme-light", html, StringComparison.Ordinal);
    }
}
