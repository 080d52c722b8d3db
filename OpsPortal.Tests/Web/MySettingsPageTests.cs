using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.Subscriptions;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.OnCall;

namespace OpsPortal.Tests.Web;

/// <summary>/account/notifications on a real database: settings are saved for the signed-in person, a webhook URL is stored protected and never shown back, and a bad field loses nothing.</summary>
public sealed class MySettingsPageTests : MudComponentTest
{
    private const string Me = "me@my-settings.test";
    private const string Secret = "T0KEN-never-shown-back";
    private static readonly string Webhook = $"https://hooks.example.test/services/{Secret}";
    // Generous: under CI load a save to the real database can take seconds; the test waits no longer than it must.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TestDatabase _db = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _db = await TestDatabase.CreateAsync();
        Ctx.Services.AddCoreForPages(_db.ConnectionString);
        Ctx.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Ctx.Services.AddSingleton<NotificationSecrets>();
        Ctx.Services.AddSingleton<PersonalSettingsService>();
        Ctx.AddAuthorization().SetAuthorized(Me).SetRoles(Roles.Implied(Roles.Viewer).ToArray());
        // The page's desktop switch asks whether it is interactive (after every registration: this locks the services).
        Ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        Ctx.Render<MudBlazor.MudPopoverProvider>();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<MySettingsPage> Open()
    {
        var page = Ctx.Render<MySettingsPage>();
        page.WaitForAssertion(() => Assert.True(page.FindAll("[data-testid=my-save]").Count > 0, page.Markup), Wait);
        return page;
    }

    [Fact]
    public async Task Save_WebhookStoredProtected_NeverShownBack_SettingsKept()
    {
        var page = Open();
        page.Find("[data-testid=my-webhook]").Change(Webhook);
        page.Find("[data-testid=my-quiet-from]").Change("22:00");
        page.Find("[data-testid=my-quiet-to]").Change("07:00");
        page.Find("input[data-testid=my-watched], [data-testid=my-watched] input").Change(false);

        page.Find("[data-testid=my-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("set: hooks.example.test", page.Markup, StringComparison.Ordinal), Wait);
        Assert.DoesNotContain(Secret, page.Markup, StringComparison.Ordinal);
        await using (var db = _db.CreateContext())
        {
            var row = await db.Set<PersonalSettings>().AsNoTracking().SingleAsync(s => s.UserEmail == Me);
            Assert.Equal("hooks.example.test", row.WebhookHost);
            Assert.True(row.WebhookEnabled);
            Assert.DoesNotContain(Secret, row.WebhookProtected, StringComparison.Ordinal);
            Assert.Equal(new TimeOnly(22, 0), row.QuietFrom);
            Assert.Equal(new TimeOnly(7, 0), row.QuietTo);
            Assert.False(row.TicketsWatched);
            Assert.True(row.TicketsAssigned);
        }

        // Opened again: the settings are there, the URL is not.
        var again = Open();
        Assert.DoesNotContain(Secret, again.Markup, StringComparison.Ordinal);
        Assert.Contains("set: hooks.example.test", again.Markup, StringComparison.Ordinal);
        Assert.Equal("22:00", again.Find("[data-testid=my-quiet-from]").GetAttribute("value"));
    }

    [Fact]
    public async Task Save_BadQuietHoursAndWebhook_ClearErrors_NothingStored()
    {
        var page = Open();
        page.Find("[data-testid=my-webhook]").Change("ftp://hooks.example.test/x");
        page.Find("[data-testid=my-quiet-from]").Change("25:00");
        page.Find("[data-testid=my-quiet-to]").Change("07:00");

        page.Find("[data-testid=my-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("The notification settings are not valid", page.Find("[data-testid=refusal]").TextContent, StringComparison.Ordinal), Wait);
        await using var db = _db.CreateContext();
        Assert.False(await db.Set<PersonalSettings>().AnyAsync());
    }
}
