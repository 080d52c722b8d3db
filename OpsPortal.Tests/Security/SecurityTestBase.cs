using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Security;

/// <summary>What the security tests share: users of each role and a look at the events they left.</summary>
public abstract class SecurityTestBase : ApiTestBase
{
    protected const string ViewerEmail = "viewer@test.local";
    protected const string EngineerEmail = "engineer@test.local";
    protected const string OtherEngineerEmail = "engineer2@test.local";
    protected const string Password = "Some-password-1";

    protected async Task CreateRoleUsersAsync()
    {
        await CreateUserAsync(ViewerEmail, Password, Core.Auth.Roles.Viewer);
        await CreateUserAsync(EngineerEmail, Password, Core.Auth.Roles.Engineer);
        await CreateUserAsync(OtherEngineerEmail, Password, Core.Auth.Roles.Engineer);
    }

    protected async Task<int> CountEventsAsync(string kind)
    {
        await using var db = Factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContext();
        return await db.Events.CountAsync(e => e.Kind == kind);
    }

    protected static Task<HttpResponseMessage> PostTokenAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/tokens", new { email, password, name = "t" });

    protected sealed record ProblemBody(string? Title, string? Detail, int? Status);
}
