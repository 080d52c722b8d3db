using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Auth;

public sealed class UserPreferencesTests : ApiTestBase
{
    [Fact]
    public async Task DarkMode_IsRememberedPerUser()
    {
        await CreateUserAsync("other@test.local", "Other-password-1", Roles.Viewer);
        await using var db = Database.CreateContext();
        var admin = db.Users.Single(u => u.Email == AdminEmail).Id;
        var other = db.Users.Single(u => u.Email == "other@test.local").Id;
        var prefs = Factory.Services.GetRequiredService<UserPreferences>();

        Assert.Null(await prefs.GetDarkModeAsync(admin));
        await prefs.SetDarkModeAsync(admin, true);

        Assert.True(await prefs.GetDarkModeAsync(admin));
        Assert.Null(await prefs.GetDarkModeAsync(other));
        await prefs.SetDarkModeAsync(admin, false);
        Assert.False(await prefs.GetDarkModeAsync(admin));
    }
}
