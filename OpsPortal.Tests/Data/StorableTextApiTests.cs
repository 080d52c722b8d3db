using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Data;

/// <summary>
/// Text PostgreSQL cannot store, sent where people write (API bodies; pages call the same services):
/// a NUL (<c>\u0000</c>) and a lone surrogate (<c>\ud800</c>) in JSON. Before, each was a 500
/// (22021 / an encoder exception); now the text is stored without the NUL and with U+FFFD.
/// </summary>
public sealed class StorableTextApiTests : ApiTestBase
{
    // Raw JSON: a C# string serialiser would not write a lone surrogate.
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<string> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test queries are constants written in the tests.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task AssertStatusAsync(HttpStatusCode expected, HttpResponseMessage response) =>
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");

    [Fact]
    public async Task TicketAndComment_WithNul_StoredWithoutIt()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        await AssertStatusAsync(HttpStatusCode.Created,
            await client.PostAsync("/api/tickets", Json("""{"title":"disk full","description":"df says\u0000 100%"}""")));
        await AssertStatusAsync(HttpStatusCode.Created,
            await client.PostAsync("/api/tickets/OPS-1/comments", Json("""{"body":"pasted\u0000\u0000 binary"}""")));

        Assert.Equal("df says 100%", await ScalarAsync("SELECT description FROM tickets"));
        Assert.Equal("pasted binary", await ScalarAsync("SELECT body FROM ticket_comments"));
        var ticket = await client.GetFromJsonAsync<JsonElement>("/api/tickets/OPS-1");
        Assert.Equal("df says 100%", ticket.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Comment_WithLoneSurrogate_400NotA500()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await AssertStatusAsync(HttpStatusCode.Created, await client.PostAsync("/api/tickets", Json("""{"title":"t"}""")));

        // The JSON reader refuses an unpaired surrogate escape before anything reaches the database.
        await AssertStatusAsync(HttpStatusCode.BadRequest,
            await client.PostAsync("/api/tickets/OPS-1/comments", Json("""{"body":"a\ud800b"}""")));
    }

    [Fact]
    public async Task Ticket_FromThePagesService_WithNulAndLoneSurrogate_StoredClean()
    {
        // Pages call the services directly (no JSON reader in between): the interceptor is what cleans.
        var tickets = Factory.Services.GetRequiredService<OpsPortal.Core.Tickets.TicketService>();
        await tickets.CreateAsync(new OpsPortal.Core.Tickets.NewTicket("x", "a\0b\ud800c"), As.Engineer("admin@test.local"));

        Assert.Equal("ab\uFFFDc", await ScalarAsync("SELECT description FROM tickets"));
    }

    [Fact]
    public async Task WikiBody_WithNul_StoredCleanAndRendered()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        await AssertStatusAsync(HttpStatusCode.Created, await client.PutAsync("/api/wiki/runbooks/nul",
            Json("""{"title":"N\u0000UL","body":"# Steps\n\nrestart\u0000 the pool","message":"m\u0000"}""")));

        Assert.Equal("# Steps\n\nrestart the pool", await ScalarAsync("SELECT body FROM wiki_pages"));
        var page = await client.GetFromJsonAsync<JsonElement>("/api/wiki/runbooks/nul");
        Assert.Equal("NUL", page.GetProperty("title").GetString());
    }

    [Fact]
    public async Task IncidentAndNote_WithNul_StoredClean()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var declared = await client.PostAsync("/api/incidents", Json("""{"title":"5xx","severity":"SEV3","services":["web"]}"""));
        await AssertStatusAsync(HttpStatusCode.Created, declared);
        var id = (await declared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await AssertStatusAsync(HttpStatusCode.Created, await client.PostAsync($"/api/incidents/{id}/notes", Json("""{"text":"rolled\u0000 back"}""")));

        Assert.Equal("rolled back", await ScalarAsync("SELECT text FROM incident_notes"));
        // The event's JSON payload (jsonb refuses \u0000 too) went in with the change.
        Assert.DoesNotContain("\\u0000", await ScalarAsync("SELECT string_agg(coalesce(payload::text, ''), ' ') FROM events"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogSearch_QueryWithNul_ClearRefusalNotA500()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var search = await client.GetAsync("/api/logs?q=%00");
        var stats = await client.GetAsync("/api/logs/stats?q=a%00b&by=path");

        await AssertStatusAsync(HttpStatusCode.BadRequest, search);
        Assert.Contains("NUL", await search.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertStatusAsync(HttpStatusCode.BadRequest, stats);
    }
}
