using Bunit;
using MudBlazor.Services;
using OpsPortal.Core.Auth;
using OpsPortal.Web.Components.Layout;

namespace OpsPortal.Tests.Web;

public sealed class LayoutComponentTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    public Task InitializeAsync()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public void NavMenu_Admin_ShowsAdminSection()
    {
        _ctx.AddAuthorization().SetAuthorized("boss@x.test").SetRoles(Roles.Implied(Roles.Admin).ToArray());

        var nav = _ctx.Render<NavMenu>();

        Assert.Contains("/admin/users", nav.FindAll("a").Select(a => a.GetAttribute("href")));
        Assert.Contains("/hangfire", nav.FindAll("a").Select(a => a.GetAttribute("href")));
    }

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Engineer)]
    public void NavMenu_BelowAdmin_HidesAdminSection(string role)
    {
        _ctx.AddAuthorization().SetAuthorized("someone@x.test").SetRoles(Roles.Implied(role).ToArray());

        var nav = _ctx.Render<NavMenu>();

        var links = nav.FindAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.DoesNotContain("/admin/users", links);
        Assert.DoesNotContain("/hangfire", links);
        Assert.Contains("/account/tokens", links);
        Assert.DoesNotContain("Admin", nav.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void NavMenu_OnlyLinksToPagesThatExist()
    {
        _ctx.AddAuthorization().SetAuthorized("boss@x.test").SetRoles(Roles.Implied(Roles.Admin).ToArray());
        var routes = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), false))
            .Cast<Microsoft.AspNetCore.Components.RouteAttribute>()
            .Select(r => r.Template)
            .Concat(["/hangfire", "/api/docs"])
            .ToHashSet();

        var nav = _ctx.Render<NavMenu>();

        foreach (var href in nav.FindAll("a").Select(a => a.GetAttribute("href")))
        {
            Assert.Contains(href!, routes);
        }
    }

    [Fact]
    public void UserMenu_ShowsSignedInUser()
    {
        _ctx.AddAuthorization().SetAuthorized("alice@x.test");
        _ctx.Render<MudBlazor.MudPopoverProvider>();

        var menu = _ctx.Render<UserMenu>();

        Assert.Contains("alice@x.test", menu.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void UserMenu_Anonymous_RendersNothing()
    {
        _ctx.AddAuthorization();

        var menu = _ctx.Render<UserMenu>();

        Assert.Equal("", menu.Markup.Trim());
    }
}
