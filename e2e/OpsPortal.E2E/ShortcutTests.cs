namespace OpsPortal.E2E;

/// <summary>
/// Shortcuts work from the first moment the page shows: pressed before the Blazor circuit is up (held
/// back here on purpose), they are queued with what is typed after them, never dropped.
/// </summary>
public sealed class ShortcutTests(PortalFixture portal) : BrowserTest(portal)
{
    /// <summary>Signs in, then holds every new circuit back for a while, so the next page shows before it works.</summary>
    private async Task SignInWithSlowCircuitAsync()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await HoldBackCircuitsAsync();
    }

    [Fact]
    public async Task Slash_BeforeThePageIsInteractive_KeepsEveryLetterForTheSearch()
    {
        await SignInWithSlowCircuitAsync();
        await OpenBeforeInteractiveAsync("/tickets");

        await Page.Keyboard.PressAsync("/");
        await Page.Keyboard.TypeAsync("disk full");

        var search = Page.Locator("input[data-testid=global-search]");
        await Assertions.Expect(search).ToHaveValueAsync("disk full");
        await Assertions.Expect(search).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync(" zq9");
        await Assertions.Expect(search).ToHaveValueAsync("disk full zq9");
        // The server holds all of it: the list answers the whole text.
        await Assertions.Expect(Page.GetByTestId("search-empty")).ToContainTextAsync("disk full zq9");
    }

    [Fact]
    public async Task QuickCreate_BeforeThePageIsInteractive_IsQueuedWithWhatWasTyped()
    {
        await SignInWithSlowCircuitAsync();
        await OpenBeforeInteractiveAsync("/incidents");

        await Page.Keyboard.PressAsync("c");
        await Page.Keyboard.TypeAsync("Rotate the TLS certs");

        var title = Page.GetByTestId("new-title");
        await Assertions.Expect(title).ToHaveValueAsync("Rotate the TLS certs");
        await Assertions.Expect(title).ToBeFocusedAsync();
    }

    [Fact]
    public async Task WikiIndex_SlashBeforeLoad_FocusStaysInTheAppBarSearch()
    {
        await SignInWithSlowCircuitAsync();
        await OpenBeforeInteractiveAsync("/wiki");

        await Page.Keyboard.PressAsync("/");
        await Page.Keyboard.TypeAsync("OPS");
        await WaitForInteractiveAsync(Page);

        var search = Page.Locator("input[data-testid=global-search]");
        await Assertions.Expect(search).ToHaveValueAsync("OPS");
        await Assertions.Expect(search).ToBeFocusedAsync();
        await Assertions.Expect(Page.Locator("input[data-testid=wiki-search], [data-testid=wiki-search] input")).ToHaveValueAsync("");
    }
}
