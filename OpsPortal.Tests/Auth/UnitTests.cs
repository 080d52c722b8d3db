using Microsoft.Extensions.Configuration;
using OpsPortal.Core.Auth;
using OpsPortal.Web.Components.Shared;
using OpsPortal.Web.Features.Auth;
using OpsPortal.Web.Hosting;

namespace OpsPortal.Tests.Auth;

public sealed class RolesTests
{
    [Theory]
    [InlineData(Roles.Admin, new[] { "Viewer", "Engineer", "Admin" })]
    [InlineData(Roles.Engineer, new[] { "Viewer", "Engineer" })]
    [InlineData(Roles.Viewer, new[] { "Viewer" })]
    public void Implied_IncludesLowerRoles(string role, string[] expected) => Assert.Equal(expected, Roles.Implied(role));

    [Fact]
    public void Implied_UnknownRole_Throws() => Assert.Throws<ArgumentException>(() => Roles.Implied("Root"));

    [Theory]
    [InlineData(new[] { "Viewer", "Engineer" }, "Engineer")]
    [InlineData(new[] { "Admin", "Viewer" }, "Admin")]
    [InlineData(new string[0], "Viewer")]
    public void Top_PicksHighest(string[] roles, string expected) => Assert.Equal(expected, Roles.Top(roles));

    [Fact]
    public void GeneratePassword_IsLongAndDifferentEachTime()
    {
        var a = UserAdminService.GeneratePassword();
        var b = UserAdminService.GeneratePassword();
        Assert.Equal(24, a.Length);
        Assert.NotEqual(a, b);
    }
}

public sealed class LoginPageTests
{
    [Theory]
    [InlineData("/admin/users", "/admin/users")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("admin", "/")]
    public void SafeReturnUrl_OnlyLocalPaths(string? input, string expected) =>
        Assert.Equal(expected, LoginPage.SafeReturnUrl(input));
}

public sealed class OptionsTests
{
    [Fact]
    public void LoadOptions_NoDatabase_FailsWithActionableMessage()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([]).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => OpsPortalHost.LoadOptions(config));

        Assert.Contains("OPSPORTAL_DATABASE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOptions_BadConnectionString_DoesNotEchoIt()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([new("OPSPORTAL_DATABASE", "Hots=x;Password=hunter2")]).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => OpsPortalHost.LoadOptions(config));

        Assert.Contains("not valid", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOptions_EnvironmentWinsOverConnectionStrings()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection([
            new("OPSPORTAL_DATABASE", "Host=a;Database=one"),
            new("ConnectionStrings:Ops", "Host=b;Database=two"),
        ]).Build();

        Assert.Equal("Host=a;Database=one", OpsPortalHost.LoadOptions(config).Database);
    }
}

public sealed class RelativeTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(10, "just now")]
    [InlineData(60, "1 min ago")]
    [InlineData(600, "10 min ago")]
    [InlineData(3700, "1 h ago")]
    [InlineData(5 * 3600, "5 h ago")]
    [InlineData(30 * 3600, "yesterday")]
    [InlineData(10 * 86400, "2026-11-16")]
    public void Describe_ReadsLikeAPerson(int secondsAgo, string expected) =>
        Assert.Equal(expected, RelativeTime.Describe(Now.AddSeconds(-secondsAgo), Now));
}
