using OpsPortal.Core.Auth;
using OpsPortal.Core.Backups;

namespace OpsPortal.E2E;

/// <summary>The Backups page: an Admin adds and edits a database to back up (refusals beside their fields), backs it up and watches a drill's steps live.</summary>
public sealed class BackupsTests(PortalFixture portal) : BrowserTest(portal)
{
    private const string Password = "s3cret-e2e-pw";

    [Fact]
    public async Task AddTarget_BadFieldsThenFixed_SavedWithSecretNeverShown_EditKeepsConnection()
    {
        var name = "shop-" + Guid.NewGuid().ToString("N")[..6];
        var folder = Directory.CreateTempSubdirectory("opsportal-e2e-backups-").FullName;
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/admin/backups");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("backup-target-add").ClickAsync();
        await Page.GetByTestId("target-name").FillAsync(name);
        await Page.GetByTestId("target-connection").FillAsync("just some words");
        await Page.GetByTestId("target-destination").FillAsync("relative/folder");
        await Page.GetByTestId("target-schedule").FillAsync("0 2 * *");
        // The schedule says what is wrong while it is typed, before any save.
        await Assertions.Expect(Page.GetByText("A cron expression of 5 fields").First).ToBeVisibleAsync();
        await Page.GetByTestId("target-schedule").FillAsync("15 1 * * *");
        await Assertions.Expect(Page.GetByText("01:15Z").First).ToBeVisibleAsync();
        await Page.GetByTestId("target-save").ClickAsync();

        await Assertions.Expect(Page.GetByText("Not a PostgreSQL connection string with a Host and a Database.")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByText("The destination must be an absolute folder path.").First).ToBeVisibleAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName, "BackupTargetDialog-refused.png") });

        await Page.GetByTestId("target-connection").FillAsync($"Host=127.0.0.1;Port=5432;Database=shop;Username=backup;Password={Password}");
        await Page.GetByTestId("target-destination").FillAsync(folder);
        await Assertions.Expect(Page.GetByTestId("target-free-space")).ToContainTextAsync("free there");
        await Page.GetByTestId("target-save").ClickAsync();

        var card = Page.GetByTestId("backup-target").Filter(new() { HasText = name });
        await Assertions.Expect(card).ToContainTextAsync("127.0.0.1:5432/shop");
        await Assertions.Expect(card).ToContainTextAsync("15 1 * * *");
        await Assertions.Expect(Page.Locator("body")).Not.ToContainTextAsync(Password);

        await card.GetByTestId("backup-target-edit").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("target-connection")).ToHaveValueAsync("");
        await Assertions.Expect(Page.GetByText("set: 127.0.0.1:5432/shop").First).ToBeVisibleAsync();
        await Page.GetByTestId("target-keep-daily").FillAsync("3");
        await Page.GetByTestId("target-save").ClickAsync();

        await Assertions.Expect(card).ToContainTextAsync("3 daily");
        await Assertions.Expect(card).ToContainTextAsync("127.0.0.1:5432/shop");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task AddTarget_PgBackRestMethod_AsksStanzaAndConfig_SavedNeverBackedUp()
    {
        var name = "stanza-" + Guid.NewGuid().ToString("N")[..6];
        var config = Path.Combine(Directory.CreateTempSubdirectory("opsportal-e2e-pgbackrest-").FullName, "pgbackrest.conf");
        await File.WriteAllTextAsync(config, "[global]\nrepo1-path=/var/lib/pgbackrest\n\n[main]\npg1-path=/var/lib/postgresql/15/main\n");
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/admin/backups");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("backup-target-add").ClickAsync();
        await Page.GetByTestId("target-name").FillAsync(name);
        await Page.GetByTestId("target-connection").FillAsync($"Host=127.0.0.1;Port=5432;Database=shop;Username=backup;Password={Password}");
        await Page.GetByTestId("target-method-pgbackrest").ClickAsync();
        // pgBackRest keeps its backups in its repository, with its own retention: no folder, no keep-N fields.
        await Assertions.Expect(Page.GetByTestId("target-stanza")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("target-destination")).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByTestId("target-keep-daily")).ToHaveCountAsync(0);
        await Page.GetByTestId("target-stanza").FillAsync("main; rm -rf /");
        await Page.GetByTestId("target-pgbackrest-config").FillAsync("/nowhere/pgbackrest.conf");
        await Page.GetByTestId("target-save").ClickAsync();

        await Assertions.Expect(Page.GetByText("There is no file /nowhere/pgbackrest.conf").First).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByText("The stanza's name: letters, digits").First).ToBeVisibleAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName, "BackupTargetDialog-pgbackrest.png") });

        await Page.GetByTestId("target-stanza").FillAsync("main");
        await Page.GetByTestId("target-pgbackrest-config").FillAsync(config);
        await Page.GetByTestId("target-save").ClickAsync();

        var card = Page.GetByTestId("backup-target").Filter(new() { HasText = name });
        await Assertions.Expect(card).ToContainTextAsync("pgBackRest, stanza main");
        await Assertions.Expect(card.GetByTestId("backup-never")).ToBeVisibleAsync();
        await Assertions.Expect(card.GetByTestId("backup-never-text")).ToContainTextAsync("never backed up yet");
        Directory.Delete(Path.GetDirectoryName(config)!, recursive: true);
    }

    [Fact]
    public async Task BackUpAndDrillFromThePage_StepsAppearLive_BothThemesScreenshotted()
    {
        var folder = Directory.CreateTempSubdirectory("opsportal-e2e-backups-").FullName;
        var name = "e2e-db-" + Guid.NewGuid().ToString("N")[..6];
        var target = (await Portal.Services.GetRequiredService<BackupTargets>().CreateAsync(Actor.System("e2e"),
            new BackupTargetInput(name, Portal.Database.ConnectionString, folder, null, null), CancellationToken.None)).Value;
        var history = Portal.Services.GetRequiredService<BackupHistory>();
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/admin/backups");
        await WaitForInteractiveAsync(Page);
        var card = Page.GetByTestId("backup-target").Filter(new() { HasText = name });

        // The fixture runs no job workers: the test is the worker that picks up what the page queued.
        await card.GetByTestId("backup-run").ClickAsync();
        var backup = await QueuedAsync(() => history.BackupsAsync(target.Id, 1, CancellationToken.None));
        await Portal.Services.GetRequiredService<BackupRunner>().RunAsync(backup.Id, CancellationToken.None);
        await Assertions.Expect(card).ToContainTextAsync($"#{backup.Id}");

        await card.GetByTestId("backup-drill").ClickAsync();
        var drill = await QueuedAsync(() => history.DrillsAsync(target.Id, 1, CancellationToken.None));
        var running = Portal.Services.GetRequiredService<BackupDrills>().RunAsync(drill.Id, CancellationToken.None);

        // Steps appear as they run, without a reload: the create step first, the drop step last.
        var steps = card.GetByTestId("drill-step");
        await Assertions.Expect(steps.First).ToContainTextAsync(BackupDrills.StepCreate);
        await running;
        await Assertions.Expect(card.GetByTestId("drill-status")).ToHaveTextAsync("passed");
        await Assertions.Expect(steps.Last).ToContainTextAsync(BackupDrills.StepDrop);
        await Assertions.Expect(card.Locator("[data-testid=drill-step][data-status=passed]")).ToHaveCountAsync(await steps.CountAsync());
        await Assertions.Expect(card).ToContainTextAsync("RTO");

        var shots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        var toggle = Page.GetByTestId("theme-toggle");
        var original = await toggle.GetAttributeAsync("data-theme");
        foreach (var theme in new[] { original, original == "dark" ? "light" : "dark" })
        {
            if (await toggle.GetAttributeAsync("data-theme") != theme)
            {
                await toggle.ClickAsync();
                await Assertions.Expect(toggle).ToHaveAttributeAsync("data-theme", theme!);
            }
            await Page.Mouse.MoveAsync(600, 700); // no tooltip of the toggle over the page
            await Page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"Backups-{theme}.png"), FullPage = true });
        }
        await toggle.ClickAsync(); // the admin's saved theme back as it was
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The newest row the page queued (it is written before the click's round trip ends, so a short wait suffices).</summary>
    private static async Task<T> QueuedAsync<T>(Func<Task<List<T>>> newest)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if ((await newest()).FirstOrDefault() is { } row)
            {
                return row;
            }
            Assert.True(DateTime.UtcNow < deadline, "Nothing was queued within 30 s of the click.");
            await Task.Delay(200);
        }
    }
}
