namespace OpsPortal.E2E;

public sealed class TicketsTests(PortalFixture portal) : BrowserTest(portal)
{
    // Navigations and circuit round trips under CI load take longer than Playwright's 5 s default.
    private const float Slow = 20_000;

    private async Task PressQuickCreateAsync() => await PressShortcutAsync("c");

    /// <summary>Each page load starts a new circuit, which registers the shortcuts again; wait for it.</summary>
    private async Task PressShortcutAsync(string key)
    {
        await Page.Locator("[data-testid=ticket-shortcuts][data-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Page.Keyboard.PressAsync(key);
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

        await Assertions.Expect(Page.GetByTestId("ticket-title")).ToHaveTextAsync($"Checkout down {word}", new() { Timeout = Slow });
        var key = (await Page.GetByTestId("ticket-key").TextContentAsync())!.Trim();
        await Assertions.Expect(Page.GetByTestId("ticket-description").Locator("strong")).ToHaveTextAsync("502", new() { Timeout = Slow });
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("comment-input").FillAsync("Rolled back the *upstream* change");
        await Page.GetByTestId("comment-submit").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-comment")).ToHaveCountAsync(1, new() { Timeout = Slow });
        await Assertions.Expect(Page.GetByTestId("ticket-comment").Locator("em")).ToHaveTextAsync("upstream", new() { Timeout = Slow });

        await Page.GetByTestId("status-in_progress").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-status").First).ToHaveTextAsync("In progress", new() { Timeout = Slow });
        await Assertions.Expect(Page.GetByTestId("ticket-activity-item").Filter(new() { HasText = "from Open to In progress" })).ToHaveCountAsync(1, new() { Timeout = Slow });

        // Global search by a word of the title, from another page.
        await Page.GotoAsync("/tickets");
        await WaitForInteractiveAsync(Page);
        var searchBox = Page.Locator("input[data-testid=global-search]");
        // Under CI load the first key can land while the page is still settling; a person would press it again.
        for (var attempt = 0; attempt < 5 && !await searchBox.EvaluateAsync<bool>("e => e === document.activeElement"); attempt++)
        {
            await PressShortcutAsync("/");
            await Page.WaitForTimeoutAsync(300);
        }
        await Assertions.Expect(searchBox).ToBeFocusedAsync(new() { Timeout = Slow });
        await Page.Keyboard.TypeAsync(word);
        await Assertions.Expect(searchBox).ToHaveValueAsync(word, new() { Timeout = Slow });
        var hit = Page.Locator($"[data-testid=search-hit][data-kind=tickets][data-key='{key}']");
        await Assertions.Expect(hit).ToBeVisibleAsync(new() { Timeout = Slow });
        await hit.ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-key")).ToHaveTextAsync(key, new() { Timeout = Slow });

        // The built-in saved filter "Unassigned P1" lists it.
        await Page.GotoAsync("/tickets");
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("ticket-filters").ClickAsync();
        await Page.GetByTestId("filter-item").Filter(new() { HasText = "Unassigned P1" }).ClickAsync();
        await Assertions.Expect(Page.Locator($"[data-testid=ticket-row][data-key='{key}']")).ToBeVisibleAsync(new() { Timeout = Slow });
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("assignee=none"), new() { Timeout = Slow });

        // Bulk change from the list: resolving it takes it out of this (active-only) filter.
        await Page.Locator($"[data-testid=ticket-row][data-key='{key}'] input[type=checkbox]").ClickAsync();
        await Page.GetByTestId("bulk-status").ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^Resolved$") }).ClickAsync();
        await Page.GetByTestId("bulk-apply").ClickAsync();
        await Assertions.Expect(Page.Locator($"[data-testid=ticket-row][data-key='{key}']")).ToHaveCountAsync(0, new() { Timeout = Slow });
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ConcurrentEdit_ShowsWhatTheOtherPersonChanged_ThenAppliesMineOnTop()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await PressQuickCreateAsync();
        await Page.GetByTestId("new-title").FillAsync("Rotate TLS certs");
        await Page.GetByTestId("new-submit").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-title")).ToHaveTextAsync("Rotate TLS certs", new() { Timeout = Slow });
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("title-edit").ClickAsync();

        // Meanwhile someone else, in another tab, blocks the ticket.
        var other = await NewPageAsync(Context);
        await other.GotoAsync(Page.Url);
        await WaitForInteractiveAsync(other);
        await other.GetByTestId("status-blocked").ClickAsync();
        await Assertions.Expect(other.GetByTestId("ticket-status").First).ToHaveTextAsync("Blocked", new() { Timeout = Slow });

        await Page.GetByTestId("title-input").FillAsync("Rotate TLS certs on web");
        await Page.GetByTestId("title-input").PressAsync("Enter");

        await Assertions.Expect(Page.GetByTestId("conflict-change")).ToContainTextAsync("status: Open → Blocked", new() { Timeout = Slow });
        await Page.GetByTestId("conflict-apply").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("ticket-title")).ToHaveTextAsync("Rotate TLS certs on web", new() { Timeout = Slow });
        await Assertions.Expect(Page.GetByTestId("ticket-conflict")).ToHaveCountAsync(0, new() { Timeout = Slow });
        await Assertions.Expect(Page.GetByTestId("ticket-status").First).ToHaveTextAsync("Blocked", new() { Timeout = Slow });
        await other.CloseAsync();
    }

    [Fact]
    public async Task BulkStatus_OffersOnlyMovesEverySelectedTicketCanMake()
    {
        var label = "bulk" + Guid.NewGuid().ToString("N")[..6];
        var admin = new OpsPortal.Core.Auth.Actor(PortalFixture.AdminEmail, OpsPortal.Core.Auth.Roles.Admin);
        var tickets = Portal.Services.GetRequiredService<OpsPortal.Core.Tickets.TicketService>();
        var open = await tickets.CreateAsync(new OpsPortal.Core.Tickets.NewTicket("bulk open", Labels: [label]), admin);
        var blocked = await tickets.CreateAsync(new OpsPortal.Core.Tickets.NewTicket("bulk blocked", Labels: [label]), admin);
        await tickets.UpdateAsync(blocked.Value!.Key, new OpsPortal.Core.Tickets.TicketEdit { Status = OpsPortal.Core.Tickets.TicketStatus.Blocked }, 1, admin);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync($"/tickets?label={label}");
        await WaitForInteractiveAsync(Page);

        await Page.Locator($"[data-testid=ticket-row][data-key='{open.Value!.Key}'] input[type=checkbox]").ClickAsync();
        await Page.Locator($"[data-testid=ticket-row][data-key='{blocked.Value.Key}'] input[type=checkbox]").ClickAsync();
        await Page.GetByTestId("bulk-status").ClickAsync();

        // Open can go to In progress, Blocked, Resolved; Blocked to In progress, Open, Resolved; neither to Closed.
        var options = Page.Locator(".mud-popover-open .mud-list-item");
        await Assertions.Expect(options).ToHaveTextAsync(["Open", "In progress", "Blocked", "Resolved"]);
    }
}
