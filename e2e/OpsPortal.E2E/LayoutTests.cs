namespace OpsPortal.E2E;

/// <summary>
/// A phone (390×844) and a small laptop (1024×768) see every page without sideways scrolling, and on a
/// phone the app bar's actions sit in one overflow menu.
/// </summary>
public sealed class LayoutTests(PortalFixture portal) : BrowserTest(portal)
{
    [Theory]
    [InlineData(390, 844)]
    [InlineData(1024, 768)]
    public async Task EveryPage_AtWidth_HasNoHorizontalScroll(int width, int height)
    {
        var pages = await PageTour.PagesAsync(Portal);
        await Page.SetViewportSizeAsync(width, height);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        var wide = new List<string>();
        foreach (var address in pages)
        {
            await Page.GotoAsync(address);
            await Page.Locator(".mud-layout[data-interactive=true]").WaitForAsync();
            await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var overflow = await Page.EvaluateAsync<string?>("""
                () => {
                  const doc = document.scrollingElement;
                  if (doc.scrollWidth <= window.innerWidth) return null;
                  // The outermost elements that stick out: their parent still fits.
                  const out = e => e.getClientRects().length && e.getBoundingClientRect().right > window.innerWidth + 1;
                  const culprits = [...document.querySelectorAll('body *')]
                    .filter(e => out(e) && e.parentElement && !out(e.parentElement))
                    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.dataset.testid ? `[${e.dataset.testid}]` : '')
                      + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).slice(0, 4).join('.') : ''));
                  return `${doc.scrollWidth} > ${window.innerWidth} (${culprits.join(', ')})`;
                }
                """);
            if (overflow is not null)
            {
                wide.Add($"{address}: {overflow}");
                Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
                await Page.ScreenshotAsync(new() { FullPage = true, Path = Path.Combine(AppContext.BaseDirectory, "screenshots", $"wide-{width}-{address.Trim('/').Replace('/', '_')}.png") });
            }
        }

        Assert.True(wide.Count == 0, $"Pages wider than {width} px:\n" + string.Join('\n', wide));
    }

    [Fact]
    public async Task Phone_AppBarOverflowMenu_OffersTicketThemeAndSignOut()
    {
        await Page.SetViewportSizeAsync(390, 844);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Assertions.Expect(Page.GetByTestId("theme-toggle")).ToBeHiddenAsync();
        await Page.GetByTestId("appbar-more").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("more-theme")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("more-sign-out")).ToBeVisibleAsync();
        await Page.GetByTestId("more-ticket").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("new-title")).ToBeFocusedAsync();
        // Closed by its button: MudBlazor's Escape handler is attached after the dialog's first render, so an
        // Escape pressed the moment the title has focus can be lost on a loaded machine (CI at load 85 did).
        await Page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.GetByTestId("new-title")).ToBeHiddenAsync();

        await Page.GetByTestId("appbar-more").ClickAsync();
        await Page.GetByTestId("more-sign-out").ClickAsync();
        await Page.WaitForURLAsync("**/account/login");
    }

    [Theory]
    [InlineData(390, false, false)]
    [InlineData(1024, true, false)]
    [InlineData(1600, true, true)]
    public async Task LogsTable_AtWidth_ChoosesColumns(int width, bool host, bool client)
    {
        await Page.SetViewportSizeAsync(width, 900);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/logs");
        await WaitForInteractiveAsync(Page);

        var table = Page.GetByTestId("log-rows");
        await Assertions.Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Path" })).ToBeVisibleAsync();
        await Assertions.Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Status" })).ToBeVisibleAsync();
        await Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Host" }), host);
        await Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Client" }), client);
    }

    private static Task Expect(ILocator column, bool visible) =>
        visible ? Assertions.Expect(column).ToBeVisibleAsync() : Assertions.Expect(column).ToBeHiddenAsync();
}
