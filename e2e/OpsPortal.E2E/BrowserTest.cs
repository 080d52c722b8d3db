namespace OpsPortal.E2E;

/// <summary>Base for browser tests: a fresh context per test, console errors collected, sign-in reused.</summary>
[Collection(PortalCollection.Name)]
public abstract class BrowserTest(PortalFixture portal) : IAsyncLifetime
{
    protected PortalFixture Portal { get; } = portal;
    protected IBrowserContext Context { get; private set; } = null!;
    protected IPage Page { get; private set; } = null!;
    protected List<string> ConsoleErrors { get; } = [];

    public async Task InitializeAsync()
    {
        Context = await Portal.Browser.NewContextAsync(new() { BaseURL = Portal.BaseUrl, ViewportSize = new() { Width = 1366, Height = 800 } });
        // Generous bounds: they only decide when a failing test gives up. On a CI machine shared with other
        // builds a sign-in round trip has taken over 15 s; expectations wait as long as actions.
        Context.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(30_000);
        Page = await NewPageAsync(Context);
    }

    public async Task DisposeAsync()
    {
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(shots, GetType().Name + ".png") });
        await Context.DisposeAsync();
    }

    protected async Task<IPage> NewPageAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, msg) =>
        {
            if (msg.Type == "error")
            {
                ConsoleErrors.Add(msg.Text);
            }
        };
        return page;
    }

    /// <summary>Signs in through the real form and waits until the Blazor circuit is live.</summary>
    protected async Task SignInAsync(string email, string password, IPage? page = null)
    {
        page ??= Page;
        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/account/login**");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=sign-in]");
        await WaitForInteractiveAsync(page);
    }

    /// <summary>Blazor prerenders: buttons are visible before they work. The layout marks when they do.</summary>
    protected static Task WaitForInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive=true]").WaitForAsync();
}
