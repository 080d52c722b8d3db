namespace OpsPortal.E2E;

public sealed class TicketsTests(PortalFixture portal) : BrowserTest(portal)
{
    private async Task PressQuickCreateAsync()
    {
        await Page.Locator("[data-testid=ticket-shortcuts][data-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Page.Keyboard.PressAsync("c");
    }

    [Fact]
    public async Task CreateCommentChangeStatus_ThenFindBySearchAndBySavedFilter()
    {
        var word = "zeppelin" + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(4).ToArray());
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        // Quick-create from any page with the keyboard.
        await PressQuickCreateAsync();
        await Page.GetByTestId("new-title").FillAsync($"Checkout down {word}");
        await Page.GetByTestId("new-priority").ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^P1$") }).ClickAsync();
        await Page.GetByTestId("new-description").FillAsync("Users see **502**.");
        await Page.GetByTestId("new-submit").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("ticket-title")).ToHaveTextAsync($"Checkout down {word}");
        var key = (await Page.GetByTestId("ticket-key").TextContentAsync())!.Trim();
        await Assertions.Expect(Page.GetByTestId("ticket-description").Locator("strong")).ToHaveTextAsync("502");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("comment-input").FillAsync("Rolled back the *upstream* change");
        await Page.GetByTestId("comment-submit").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-comment")).ToHaveCountAsync(1);
        await Assertions.Expect(Page.GetByTestId("ticket-comment").Locator("em")).ToHaveTextAsync("upstream");

        await Page.GetByTestId("status-in_progress").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-status").First).ToHaveTextAsync("In progress");
        await Assertions.Expect(Page.GetByTestId("ticket-activity-item").Filter(new() { HasText = "from Open to In progress" })).ToHaveCountAsync(1);

        // Global search by a word of the title, from another page.
        await Page.GotoAsync("/tickets");
        await WaitForInteractiveAsync(Page);
        await Page.Keyboard.PressAsync("/");
        await Page.Keyboard.TypeAsync(word);
        await Page.Locator($"[data-testid=search-hit][data-key='{key}']").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-key")).ToHaveTextAsync(key);

        // The built-in saved filter "Unassigned P1" lists it.
        await Page.GotoAsync("/tickets");
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("ticket-filters").ClickAsync();
        await Page.GetByTestId("filter-item").Filter(new() { HasText = "Unassigned P1" }).ClickAsync();
        await Assertions.Expect(Page.Locator($"[data-testid=ticket-row][data-key='{key}']")).ToBeVisibleAsync();
        Assert.Contains("assignee=none", Page.Url, StringComparison.Ordinal);

        // Bulk change from the list: resolving it takes it out of this (active-only) filter.
        await Page.Locator($"[data-testid=ticket-row][data-key='{key}'] input[type=checkbox]").ClickAsync();
        await Page.GetByTestId("bulk-status").ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^Resolved$") }).ClickAsync();
        await Page.GetByTestId("bulk-apply").ClickAsync();
        await Assertions.Expect(Page.Locator($"[data-testid=ticket-row][data-key='{key}']")).ToHaveCountAsync(0);
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ConcurrentEdit_ShowsWhatTheOtherPersonChanged_ThenAppliesMineOnTop()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await PressQuickCreateAsync();
        await Page.GetByTestId("new-title").FillAsync("Rotate TLS certs");
        await Page.GetByTestId("new-submit").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-title")).ToHaveTextAsync("Rotate TLS certs");
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("title-edit").ClickAsync();

        // Meanwhile someone else, in another tab, blocks the ticket.
        var other = await NewPageAsync(Context);
        await other.GotoAsync(Page.Url);
        await WaitForInteractiveAsync(other);
        await other.GetByTestId("status-blocked").ClickAsync();
        await Assertions.Expect(other.GetByTestId("ticket-status").First).ToHaveTextAsync("Blocked");

        await Page.GetByTestId("title-input").FillAsync("Rotate TLS certs on web");
        await Page.GetByTestId("title-input").PressAsync("Enter");

        await Assertions.Expect(Page.GetByTestId("conflict-change")).ToContainTextAsync("status: Open → Blocked");
        await Page.GetByTestId("conflict-apply").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-title")).ToHaveTextAsync("Rotate TLS certs on web");
        await Assertions.Expect(Page.GetByTestId("ticket-conflict")).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByTestId("ticket-status").First).ToHaveTextAsync("Blocked");
        await other.CloseAsync();
    }
}
