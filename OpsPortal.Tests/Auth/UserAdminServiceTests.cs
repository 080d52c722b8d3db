using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Auth;

public sealed class UserAdminServiceTests : IAsyncLifetime
{
    private static readonly Actor T = As.Admin("t");
    private TestDatabase _db = null!;
    private ServiceProvider _sp = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpsData(_db.ConnectionString);
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
        var admin = await WithAdminAsync(s => s.CreateAsync(T, "a@x.test", "Admin-password-1", Roles.Admin).OkAsync());

        var result = await WithAdminAsync(s => s.SetRoleAsync(T, admin, Roles.Viewer).RefusedAsync(RefusalKind.Conflict));

        Assert.Contains("last admin", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetDisabled_LastAdmin_IsRefused_ButWorksWithAnother()
    {
        var first = await WithAdminAsync(s => s.CreateAsync(T, "a@x.test", "Admin-password-1", Roles.Admin).OkAsync());
        Assert.False((await WithAdminAsync(s => s.SetDisabledAsync(T, first, true))).Succeeded);

        await WithAdminAsync(s => s.CreateAsync(T, "b@x.test", "Admin-password-1", Roles.Admin).OkAsync());

        Assert.True((await WithAdminAsync(s => s.SetDisabledAsync(T, first, true))).Succeeded);
        var list = await WithAdminAsync(s => s.ListAsync());
        Assert.True(list.Single(u => u.Email == "a@x.test").IsDisabled);
    }

    [Fact]
    public async Task SetRole_ChangesRolesAndRecordsEvent()
    {
        var user = await WithAdminAsync(s => s.CreateAsync(T, "e@x.test", "Eng-password-1", Roles.Engineer).OkAsync());

        var result = await WithAdminAsync(s => s.SetRoleAsync(As.Admin("boss@x"), user, Roles.Viewer));

        Assert.True(result.Succeeded);
        var list = await WithAdminAsync(s => s.ListAsync());
        Assert.Equal(Roles.Viewer, list.Single().Role);
        await using var db = _db.CreateContext();
        var ev = await db.Events.SingleAsync(e => e.Kind == AuthEventKinds.UserRoleChanged);
        Assert.Equal("boss@x", ev.Actor);
    }

    [Fact]
    public async Task ResetPassword_NewPasswordWorksAndUnlocks()
    {
        var user = await WithAdminAsync(s => s.CreateAsync(T, "r@x.test", "Old-password-1", Roles.Viewer).OkAsync());
        await using (var scope = _sp.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var u = await users.FindByIdAsync(user);
            await users.SetLockoutEndDateAsync(u!, DateTimeOffset.UtcNow.AddHours(1));
        }

        var password = await WithAdminAsync(s => s.ResetPasswordAsync(T, user).OkAsync());

        await using var check = _sp.CreateAsyncScope();
        var manager = check.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var reloaded = await manager.FindByIdAsync(user);
        Assert.True(await manager.CheckPasswordAsync(reloaded!, password!));
        Assert.False(await manager.CheckPasswordAsync(reloaded!, "Old-password-1"));
        Assert.False(await manager.IsLockedOutAsync(reloaded!));
    }

    [Fact]
    public async Task AnyAdmin_OnlyCountsEnabledAdmins()
    {
        Assert.False(await WithAdminAsync(s => s.AnyAdminAsync()));
        await WithAdminAsync(s => s.CreateAsync(T, "v@x.test", "View-password-1", Roles.Viewer).OkAsync());
        Assert.False(await WithAdminAsync(s => s.AnyAdminAsync()));
        await WithAdminAsync(s => s.CreateAsync(T, "a@x.test", "Admin-password-1", Roles.Admin).OkAsync());
        Assert.True(await WithAdminAsync(s => s.AnyAdminAsync()));
    }
}
