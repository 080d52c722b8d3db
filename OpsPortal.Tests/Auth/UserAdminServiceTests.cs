using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Auth;

public sealed class UserAdminServiceTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private ServiceProvider _sp = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpsData(_db.AppConnections());
        services.AddOpsAuthServices();
        services.AddOpsIdentityCore();
        _sp = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _sp.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<T> WithAdminAsync<T>(Func<UserAdminService, Task<T>> action)
    {
        await using var scope = _sp.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAdminService>());
    }

    [Fact]
    public async Task SetRole_LastAdminDemoted_IsRefused()
    {
        var admin = await WithAdminAsync(s => s.CreateAsync("t", "a@x.test", "Admin-password-1", Roles.Admin));

        var result = await WithAdminAsync(s => s.SetRoleAsync("t", admin.UserId!, Roles.Viewer));

        Assert.False(result.Succeeded);
        Assert.Contains("last admin", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetDisabled_LastAdmin_IsRefused_ButWorksWithAnother()
    {
        var first = await WithAdminAsync(s => s.CreateAsync("t", "a@x.test", "Admin-password-1", Roles.Admin));
        Assert.False((await WithAdminAsync(s => s.SetDisabledAsync("t", first.UserId!, true))).Succeeded);

        await WithAdminAsync(s => s.CreateAsync("t", "b@x.test", "Admin-password-1", Roles.Admin));

        Assert.True((await WithAdminAsync(s => s.SetDisabledAsync("t", first.UserId!, true))).Succeeded);
        var list = await WithAdminAsync(s => s.ListAsync());
        Assert.True(list.Single(u => u.Email == "a@x.test").IsDisabled);
    }

    [Fact]
    public async Task SetRole_ChangesRolesAndRecordsEvent()
    {
        var user = await WithAdminAsync(s => s.CreateAsync("t", "e@x.test", "Eng-password-1", Roles.Engineer));

        var result = await WithAdminAsync(s => s.SetRoleAsync("boss@x", user.UserId!, Roles.Viewer));

        Assert.True(result.Succeeded);
        var list = await WithAdminAsync(s => s.ListAsync());
        Assert.Equal(Roles.Viewer, list.Single().Role);
        await using var db = _db.CreateContext();
        var ev = await db.Events.SingleAsync(e => e.Kind == EventKinds.UserRoleChanged);
        Assert.Equal("boss@x", ev.Actor);
    }

    [Fact]
    public async Task ResetPassword_NewPasswordWorksAndUnlocks()
    {
        var user = await WithAdminAsync(s => s.CreateAsync("t", "r@x.test", "Old-password-1", Roles.Viewer));
        await using (var scope = _sp.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var u = await users.FindByIdAsync(user.UserId!);
            await users.SetLockoutEndDateAsync(u!, DateTimeOffset.UtcNow.AddHours(1));
        }

        var (result, password) = await WithAdminAsync(s => s.ResetPasswordAsync("t", user.UserId!));

        Assert.True(result.Succeeded, result.Error);
        await using var check = _sp.CreateAsyncScope();
        var manager = check.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var reloaded = await manager.FindByIdAsync(user.UserId!);
        Assert.True(await manager.CheckPasswordAsync(reloaded!, password!));
        Assert.False(await manager.CheckPasswordAsync(reloaded!, "Old-password-1"));
        Assert.False(await manager.IsLockedOutAsync(reloaded!));
    }

    [Fact]
    public async Task AnyAdmin_OnlyCountsEnabledAdmins()
    {
        Assert.False(await WithAdminAsync(s => s.AnyAdminAsync()));
        await WithAdminAsync(s => s.CreateAsync("t", "v@x.test", "View-password-1", Roles.Viewer));
        Assert.False(await WithAdminAsync(s => s.AnyAdminAsync()));
        await WithAdminAsync(s => s.CreateAsync("t", "a@x.test", "Admin-password-1", Roles.Admin));
        Assert.True(await WithAdminAsync(s => s.AnyAdminAsync()));
    }
}
