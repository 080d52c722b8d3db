using Bunit;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Components.Layout;

namespace OpsPortal.Tests.Web;

public sealed class LayoutComponentTests : MudComponentTest
{
    [Fact]
    public void NavMenu_Admin_ShowsAdminSection()
    {
        Ctx.AddAuthorization().SetAuthorized("boss@x.test").SetRoles(Roles.Implied(Roles.Admin).ToArray());

        var nav = Ctx.Render<NavMenu>();

        Assert.Contains("/admin/users", nav.FindAll("a").Select(a => a.GetAttribute("href")));
        Assert.Contains("/hangfire", nav.FindAll("a").Select(a => a.GetAttribute("href")));
    }

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Engineer)]
    public void NavMenu_BelowAdmin_HidesAdminSection(string role)
    {
        Ctx.AddAuthorization().SetAuthorized("someone@x.test").SetRoles(Roles.Implied(role).ToArray());

        var nav = Ctx.Render<NavMenu>();

        var links = nav.FindAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.DoesNotContain("/admin/users", links);
        Assert.DoesNotContain("/hangfire", links);
        Assert.Contains("/account/tokens", links);
        Assert.DoesNotContain("Admin", nav.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void NavMenu_OnlyLinksToPagesThatExist()
    {
        Ctx.AddAuthorization().SetAuthorized("boss@x.test").SetRoles(Roles.Implied(Roles.Admin).ToArray());
        var routes = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), false))
            .Cast<Microsoft.AspNetCore.Components.RouteAttribute>()
            .Select(r => r.Template)
            .Concat(["/hangfire", "/api/docs"])
            .ToHashSet();

        var nav = Ctx.Render<NavMenu>();

        foreach (var href in nav.FindAll("a").Select(a => a.GetAttribute("href")))
        {
            Assert.Contains(href!, routes);
        }
    }

    [Fact]
    public void UserMenu_ShowsSignedInUser()
    {
        Ctx.AddAuthorization().SetAuthorized("alice@x.test");
        Ctx.Render<MudBlazor.MudPopoverProvider>();

        var menu = Ctx.Render<UserMenu>();

        Assert.Contains("alice@x.test", menu.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void UserMenu_Anonymous_RendersNothing()
    {
        Ctx.AddAuthorization();

        var menu = Ctx.Render<UserMenu>();

        Assert.Equal("", menu.Markup.Trim());
    }
}
