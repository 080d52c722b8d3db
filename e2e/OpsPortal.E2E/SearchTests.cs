namespace OpsPortal.E2E;

/// <summary>
/// The app-bar search: one text finds tickets, wiki pages, incidents, deploys and services (the page tour
/// seeds one of each about the "tour shop"), grouped; arrows, Enter and Escape work it without a mouse.
/// </summary>
public sealed class SearchTests(PortalFixture portal) : BrowserTest(portal)
{
    private async Task<ILocator> TypeInSearchAsync(string text)
    {
        await PageTour.PagesAsync(Portal);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.Keyboard.PressAsync("/");
        var search = Page.Locator("input[data-testid=global-search]");
        await Assertions.Expect(search).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync(text);
        return search;
    }

    [Fact]
    public async Task AppBarSearch_OneText_FindsEveryKindGrouped()
    {
        await TypeInSearchAsync("tour");

        var groups = Page.GetByTestId("search-group");
        await Assertions.Expect(groups).ToHaveCountAsync(5);
        Assert.Equal(["tickets", "wiki", "incidents", "deploys", "services"],
            await groups.EvaluateAllAsync<string[]>("gs => gs.map(g => g.dataset.kind)"));
        await Assertions.Expect(Page.Locator("[data-testid=search-hit][data-kind=services][data-key=tour-shop]")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("[data-testid=search-hit][data-kind=wiki][data-key=tour-runbook]")).ToBeVisibleAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "AppBarSearch-grouped.png") });
    }

    [Fact]
    public async Task AppBarSearch_ArrowsThenEnter_OpensTheChosenHit()
    {
        var search = await TypeInSearchAsync("tour");
        var hits = Page.GetByTestId("search-hit");
        await Assertions.Expect(Page.GetByTestId("search-group")).ToHaveCountAsync(5);

        await search.PressAsync("ArrowDown");
        await Assertions.Expect(hits.Nth(0)).ToHaveAttributeAsync("aria-selected", "true");
        await search.PressAsync("ArrowDown");
        await Assertions.Expect(hits.Nth(1)).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(search).ToHaveAttributeAsync("aria-activedescendant", "app-search-hit-1");
        await search.PressAsync("ArrowUp");
        await search.PressAsync("ArrowUp");
        // Up from the first wraps to the last: the service.
        await Assertions.Expect(hits.Last).ToHaveAttributeAsync("aria-selected", "true");
        await search.PressAsync("Enter");

        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/services/tour-shop$"));
        await Assertions.Expect(Page.GetByTestId("search-results")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task AppBarSearch_EnterRightAfterTyping_OpensTheFirstHitOfTheWholeText()
    {
        // No wait for the list: Enter must act on every letter typed, not on an older list.
        // Only the tour incident (and the ticket declaring it made) has these words; "for a thi" matches nothing.
        var search = await TypeInSearchAsync("for a third of the");
        await search.PressAsync("Enter");

        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/(tickets/OPS-[0-9]+|incidents/[0-9]+)$"));
        await Assertions.Expect(Page.Locator("h4, h5, h6, [data-testid=ticket-title]").Filter(new() { HasText = "third of the requests" }).First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AppBarSearch_Escape_ClosesTheListAndKeepsTheText()
    {
        var search = await TypeInSearchAsync("tour");
        await Assertions.Expect(Page.GetByTestId("search-results")).ToBeVisibleAsync();

        await search.PressAsync("Escape");

        await Assertions.Expect(Page.GetByTestId("search-results")).ToHaveCountAsync(0);
        await Assertions.Expect(search).ToHaveValueAsync("tour");
        await Assertions.Expect(search).ToBeFocusedAsync();
        await search.PressAsync("ArrowDown");
        await Assertions.Expect(Page.GetByTestId("search-results")).ToBeVisibleAsync();
    }
}
