using System.Net;
using System.Net.Http.Json;
using Npgsql;
using OpsPortal.Core;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Security;

/// <summary>
/// What an error tells a stranger: no PostgreSQL text, no file path, no stack trace — a generic
/// sentence with a reference, the details in the server log.
/// </summary>
public sealed class ErrorDisclosureTests : SecurityTestBase
{
    private static readonly string[] Leaks = ["PostgreSQL", "Npgsql", "SQLSTATE", "too many", "connections", "   at ", "/work/", "services.yaml"];

    [Fact]
    public async Task DatabaseGone_ApiSays503WithAGenericProblem()
    {
        // A node whose database does not answer (nothing listens on port 1).
        await using var node = new OpsPortalFactory(Database, settings: new Dictionary<string, string>
        {
            ["OPSPORTAL_DATABASE"] = "Host=127.0.0.1;Port=1;Username=ops;Password=secret-password;Timeout=2",
        });
        using var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "ops_" + new string('a', 43));

        var response = await client.GetAsync("/api/tickets");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("The database is not available", body, StringComparison.Ordinal);
        Assert.All(Leaks.Append("secret-password").Append("127.0.0.1"), leak => Assert.DoesNotContain(leak, body, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task UnknownDeployTarget_NamesNoFile()
    {
        using var engineer = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await engineer.PostAsJsonAsync("/api/deploys", new { service = "nope", environment = "prod", version = "1.0" });

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Conflict });
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("/", (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Detail, StringComparison.Ordinal);
        Assert.All(Leaks, leak => Assert.DoesNotContain(leak, body, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Faults_DatabaseErrors_BecomeGenericSentences()
    {
        var refused = new PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021");
        var unavailable = new PostgresException("sorry, too many clients already", "FATAL", "FATAL", "53300");

        Assert.Equal("The database refused the operation (SQLSTATE 22021); the details are in the server log.", Faults.Describe(refused));
        Assert.Equal("The database is unavailable; the details are in the server log.", Faults.Describe(unavailable));
        Assert.DoesNotContain("0x00", Faults.Describe(new Microsoft.EntityFrameworkCore.DbUpdateException("x", refused)), StringComparison.Ordinal);
        Assert.Equal("IOException: disk full", Faults.Describe(new IOException("disk full")));
    }

    [Fact]
    public void BackgroundHealth_ShowsNoDatabaseText()
    {
        var health = new BackgroundHealth(TimeProvider.System);

        health.Failed("logs.file-tail", new PostgresException("duplicate key value violates unique constraint \"pk_secret\"", "ERROR", "ERROR", "23505"));

        Assert.DoesNotContain("pk_secret", health.Get("logs.file-tail")!.Error, StringComparison.Ordinal);
    }
}
