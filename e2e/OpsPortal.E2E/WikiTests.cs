using OpsPortal.Core.Auth;
using OpsPortal.Core.Wiki;

namespace OpsPortal.E2E;

public sealed class WikiTests(PortalFixture portal) : BrowserTest(portal)
{
    private static readonly Actor Seed = Actor.System("e2e-seed");

    private async Task OpenAsync(string path, IPage? page = null)
    {
        page ??= Page;
        await page.GotoAsync(path);
        await WaitForInteractiveAsync(page);
    }

    [Fact]
    public async Task RunbookTemplate_EditWithPreview_Save_History_Diff_Restore()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await OpenAsync("/wiki/new");
        await Page.GetByTestId("wiki-new-title").FillAsync("Cache stampede");
        await Assertions.Expect(Page.GetByTestId("wiki-new-slug")).ToHaveValueAsync("cache-stampede");
        await Page.GetByTestId("wiki-new-start").ClickAsync();

        var source = Page.GetByTestId("wiki-source");
        await Assertions.Expect(source).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("## Escalation"));
        await WaitForInteractiveAsync(Page);
        await source.FillAsync((await source.InputValueAsync()) + "\nWarm the cache with **redis** first.\n");
        await Assertions.Expect(Page.GetByTestId("wiki-preview").Locator("strong", new() { HasText = "redis" })).ToBeVisibleAsync();
        await Page.GetByTestId("wiki-message").FillAsync("first version");
        await Page.GetByTestId("wiki-save").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("wiki-title")).ToHaveTextAsync("Cache stampede");
        foreach (var section in new[] { "Symptoms", "Impact", "Diagnosis", "Mitigation", "Escalation", "Rollback" })
        {
            await Assertions.Expect(Page.GetByTestId("wiki-toc")).ToContainTextAsync(section);
        }

        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("wiki-edit").ClickAsync();
        await Assertions.Expect(source).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("redis"));
        await WaitForInteractiveAsync(Page);
        await source.FillAsync((await source.InputValueAsync()).Replace("**redis**", "**memcached**", StringComparison.Ordinal));
        await Page.GetByTestId("wiki-message").FillAsync("memcached now");
        await source.FocusAsync();
        await Page.Keyboard.PressAsync("Control+s");
        await Assertions.Expect(Page.GetByTestId("wiki-body")).ToContainTextAsync("Warm the cache with memcached first.");

        await Page.GetByTestId("wiki-history").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("wiki-revision")).ToHaveCountAsync(2);
        await Assertions.Expect(Page.GetByTestId("wiki-revisions")).ToContainTextAsync("memcached now");
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("wiki-compare").ClickAsync();
        var diff = Page.GetByTestId("wiki-diff");
        await Assertions.Expect(diff.Locator("tr.del .chg")).ToContainTextAsync("redis");
        await Assertions.Expect(diff.Locator("tr.ins .chg")).ToContainTextAsync("memcached");

        await OpenAsync("/wiki/cache-stampede/revisions");
        await Page.GetByTestId("wiki-restore-1").ClickAsync();
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Restore", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.GetByTestId("wiki-revision")).ToHaveCountAsync(3);
        await Assertions.Expect(Page.GetByTestId("wiki-revisions")).ToContainTextAsync("Restored revision 1");
        await OpenAsync("/wiki/cache-stampede");
        await Assertions.Expect(Page.GetByTestId("wiki-body")).ToContainTextAsync("Warm the cache with redis first.");
    }

    [Fact]
    public async Task StaleSave_InTwoBrowsers_ShowsTheirChangeAndMergesMine()
    {
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            var wiki = scope.ServiceProvider.GetRequiredService<WikiService>();
            await wiki.SaveAsync(Seed, "two-editors", new WikiSaveRequest("Two editors", "line one\nline two\nline three", null, null));
        }
        await Portal.CreateUserAsync("bob@e2e.test", "Bob-password-12", Roles.Engineer);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await using var bobContext = await Portal.Browser.NewContextAsync(new() { BaseURL = Portal.BaseUrl });
        var bob = await NewPageAsync(bobContext);
        await SignInAsync("bob@e2e.test", "Bob-password-12", bob);

        await OpenAsync("/wiki/two-editors/edit");
        await OpenAsync("/wiki/two-editors/edit", bob);
        await Assertions.Expect(Page.GetByTestId("wiki-presence")).ToContainTextAsync("bob@e2e.test");
        await Assertions.Expect(bob.GetByTestId("wiki-presence")).ToContainTextAsync(PortalFixture.AdminEmail);

        await bob.GetByTestId("wiki-source").FillAsync("line ONE by bob\nline two\nline three");
        await bob.GetByTestId("wiki-save").ClickAsync();
        await Assertions.Expect(bob.GetByTestId("wiki-body")).ToContainTextAsync("line ONE by bob");

        var mine = Page.GetByTestId("wiki-source");
        await mine.FillAsync("line one\nline two\nline THREE by admin");
        await Page.GetByTestId("wiki-save").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("wiki-conflict")).ToContainTextAsync("bob@e2e.test saved revision 2");
        await Assertions.Expect(mine).ToHaveValueAsync("line one\nline two\nline THREE by admin");
        await Assertions.Expect(Page.GetByTestId("wiki-merged")).ToHaveTextAsync("line ONE by bob\nline two\nline THREE by admin");

        await Page.GetByTestId("wiki-use-merged").ClickAsync();
        await Assertions.Expect(mine).ToHaveValueAsync("line ONE by bob\nline two\nline THREE by admin");
        await Page.GetByTestId("wiki-save").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("wiki-body")).ToContainTextAsync("line THREE by admin");
        await Assertions.Expect(Page.GetByTestId("wiki-body")).ToContainTextAsync("line ONE by bob");
    }

    [Fact]
    public async Task Draft_SurvivesReload()
    {
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<WikiService>()
                .SaveAsync(Seed, "drafty", new WikiSaveRequest("Drafty", "saved text", null, null));
        }
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await OpenAsync("/wiki/drafty/edit");
        await Page.GetByTestId("wiki-source").FillAsync("saved text\nunsaved words");
        await Page.WaitForFunctionAsync("() => (localStorage.getItem('opsportal.wiki.draft.drafty') || '').includes('unsaved words')");

        await OpenAsync("/wiki/drafty/edit");

        await Assertions.Expect(Page.GetByTestId("wiki-draft-restored")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("wiki-source")).ToHaveValueAsync("saved text\nunsaved words");
    }

    [Fact]
    public async Task Move_OldLinksLeadToTheMovedPage()
    {
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            var wiki = scope.ServiceProvider.GetRequiredService<WikiService>();
            await wiki.SaveAsync(Seed, "old-name", new WikiSaveRequest("Movable", "body of the movable page", null, null));
            await wiki.SaveAsync(Seed, "linker", new WikiSaveRequest("Linker", "Go to [[old-name|the movable page]].", null, null));
        }
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await OpenAsync("/wiki/old-name");

        await Page.GetByTestId("wiki-move").ClickAsync();
        await Page.GetByTestId("wiki-move-slug").FillAsync("archive/new-name");
        await Page.GetByTestId("wiki-move-submit").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("wiki-title")).ToHaveTextAsync("Movable");
        await Assertions.Expect(Page.GetByTestId("wiki-backlinks")).ToContainTextAsync("Linker");

        await OpenAsync("/wiki/linker");
        await Page.GetByText("the movable page").ClickAsync();
        await Assertions.Expect(Page.GetByText("This page moved from old-name")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("wiki-body")).ToContainTextAsync("body of the movable page");
    }

    [Fact]
    public async Task ImageUploadedInTheEditor_GoesThroughTheApiWithTheCookie_AndShowsInThePreview()
    {
        // The editor's script writes to /api with the sign-in cookie: it must pass the cross-site request guard.
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await OpenAsync("/wiki/new");
        await Page.GetByTestId("wiki-new-title").FillAsync("Image upload");
        await Page.GetByTestId("wiki-new-start").ClickAsync();
        var source = Page.GetByTestId("wiki-source");
        await Assertions.Expect(source).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("## Escalation"));
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("wiki-save").ClickAsync(); // images belong to a saved page
        await Assertions.Expect(Page.GetByTestId("wiki-title")).ToHaveTextAsync("Image upload");
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("wiki-edit").ClickAsync();
        await Assertions.Expect(source).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("## Escalation"));
        await WaitForInteractiveAsync(Page);

        await Page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "dot.png",
            MimeType = "image/png",
            Buffer = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="),
        });

        await Assertions.Expect(source).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"!\[dot\]\(/api/wiki-images/[0-9a-f-]{36}\)"));
        await Assertions.Expect(Page.GetByTestId("wiki-preview").Locator("img[src^='/api/wiki-images/']")).ToBeVisibleAsync();
        Assert.DoesNotContain(ConsoleErrors, e => e.Contains("403", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("wiki-message", "fixed the restart flag")]
    [InlineData("wiki-source", null)]
    public async Task CtrlS_FromAnyEditorField_SavesAndSaysWhat(string field, string? message)
    {
        var slug = "ctrl-s-" + field;
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<WikiService>()
                .SaveAsync(Seed, slug, new WikiSaveRequest("Ctrl S page", "first text", null, null));
        }
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await OpenAsync($"/wiki/{slug}/edit");

        await Page.GetByTestId("wiki-source").FillAsync("second text");
        if (message is not null)
        {
            await Page.GetByTestId(field).FillAsync(message);
        }
        await Page.GetByTestId(field).FocusAsync();
        await Page.Keyboard.PressAsync("Control+s");

        var said = message is null ? "Saved “Ctrl S page” as revision 2 (no change message)." : $"Saved “Ctrl S page” as revision 2: {message}";
        await Assertions.Expect(Page.Locator(".mud-snackbar")).ToContainTextAsync(said);
        await Assertions.Expect(Page.GetByTestId("wiki-body")).ToContainTextAsync("second text");
        if (message is not null)
        {
            await OpenAsync($"/wiki/{slug}/revisions");
            await Assertions.Expect(Page.GetByTestId("wiki-revisions")).ToContainTextAsync(message);
        }
    }
}
