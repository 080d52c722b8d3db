namespace OpsPortal.E2E;

/// <summary>Every dialog opens with its first field focused, so what is typed at once is never lost.</summary>
public sealed class DialogFocusTests(PortalFixture portal) : BrowserTest(portal)
{
    [Fact]
    public async Task QuickCreateShortcut_TypingRightAfterC_LandsInTitle()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.Locator("[data-testid=ticket-shortcuts][data-ready=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        // No wait between the shortcut and the typing: the dialog opens after a server round trip.
        await Page.Keyboard.PressAsync("c");
        await Page.Keyboard.TypeAsync("Disk full on db-2");

        var title = Page.GetByTestId("new-title");
        await Assertions.Expect(title).ToHaveValueAsync("Disk full on db-2");
        await Assertions.Expect(title).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync(" again");
        await Assertions.Expect(title).ToHaveValueAsync("Disk full on db-2 again");
    }

    [Fact]
    public async Task TicketButton_OpensDialogWithTitleFocused()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GetByTestId("quick-create").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("new-title")).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync("Rotate certs");
        await Assertions.Expect(Page.GetByTestId("new-title")).ToHaveValueAsync("Rotate certs");
    }

    [Fact]
    public async Task DeclareIncident_OpensDialogWithTitleFocused()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GetByTestId("declare-incident-appbar").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("declare-title")).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync("Checkout slow");
        await Assertions.Expect(Page.GetByTestId("declare-title")).ToHaveValueAsync("Checkout slow");
    }
}
