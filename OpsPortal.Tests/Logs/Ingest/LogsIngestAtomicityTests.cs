using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Ingest;

/// <summary>
/// <c>POST /api/logs</c> is all-or-nothing per request and idempotent with <c>Idempotency-Key</c>
/// (issue 14.5), on a real Kestrel socket: a client cut off mid-body stores nothing, however many COPY
/// batches the part it sent would have filled; a retry stores nothing twice, also on a second node and
/// while the first attempt is still running.
/// </summary>
public sealed class LogsIngestAtomicityTests : IAsyncLifetime
{
    private const string Email = "ingest@test.local";
    private const string Password = "Ingest-password-1";
    private static readonly Dictionary<string, string> Settings = new() { ["OpsPortal:Logs:BatchSize"] = "100" };

    private TestDatabase _db = null!;
    private OpsPortalFactory _node = null!;
    private Uri _address = null!;
    private string _token = "";

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _node = new OpsPortalFactory(_db, settings: Settings);
        _node.UseKestrel(0);
        _node.StartServer();
        _address = new Uri(_node.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        await using (var scope = _node.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<UserAdminService>().CreateAsync(As.Admin("test"), Email, Password, Roles.Engineer);
            Assert.True(created.Succeeded, created.Refusal?.Detail);
        }
        using var anonymous = new HttpClient { BaseAddress = _address };
        var token = await anonymous.PostAsJsonAsync("/api/auth/tokens", new { email = Email, password = Password, name = "t" });
        _token = (await token.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("token").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static byte[] Lines(int count, string tag)
    {
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"10.0.0.{i % 250 + 1} - - [{now}] \"GET /{tag}/{i} HTTP/1.1\" 200 {i} \"-\" \"t\"\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private HttpClient Client(Uri? address = null)
    {
        var client = new HttpClient { BaseAddress = address ?? _address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", _token);
        return client;
    }

    private static HttpRequestMessage Post(byte[] body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/logs?format=combined&host=h") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("text/plain");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        return request;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_db.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test queries are constants written in the tests.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Sends the headers and the first <paramref name="sent"/> bytes of the body, then drops the connection.</summary>
    private async Task CutAsync(byte[] body, int sent)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_address.Host, _address.Port);
        var head = $"POST /api/logs?format=combined&host=h HTTP/1.1\r\nHost: {_address.Authority}\r\nAuthorization: Bearer {_token}\r\n" +
            $"Content-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        await socket.SendAsync(body.AsMemory(0, sent));
        await Task.Delay(300);
        // A reset, as a crashed client's kernel sends, rather than a polite close.
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    [Fact]
    public async Task ClientCutMidBody_AtSeveralPoints_StoresNothing()
    {
        // 5,000 lines, 50 COPY batches of 100: before, every batch read before the cut was committed.
        var body = Lines(5000, "cut");
        foreach (var fraction in new[] { 0.02, 0.5, 0.99 })
        {
            await CutAsync(body, (int)(body.Length * fraction));
        }
        // A whole request afterwards: once it is stored, the cut ones have long failed.
        using var client = Client();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Post(Lines(3, "whole"), null))).StatusCode);
        await Task.Delay(1000);

        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM access WHERE path LIKE '/cut/%'"));
        Assert.Equal(3L, await ScalarAsync("SELECT count(*) FROM access"));
        Assert.Equal(3L, await ScalarAsync("SELECT sum(accepted_total) FROM log_sources"));
    }

    [Fact]
    public async Task SameKeyTwice_RowsOnceAndTheSameAnswer()
    {
        using var client = Client();
        var body = Lines(1234, "once");

        var first = await client.SendAsync(Post(body, "batch-0001"));
        var second = await client.SendAsync(Post(body, "batch-0001"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1234L, await ScalarAsync("SELECT count(*) FROM access"));
        Assert.Equal(1234L, await ScalarAsync("SELECT sum(accepted_total) FROM log_sources"));

        // Without a key (or with another one) the same lines are new lines.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Post(body, "batch-0002"))).StatusCode);
        Assert.Equal(2468L, await ScalarAsync("SELECT count(*) FROM access"));
    }

    [Fact]
    public async Task SameKeyOtherBody_422AndNothingStored()
    {
        using var client = Client();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Post(Lines(10, "a"), "k"))).StatusCode);

        var other = await client.SendAsync(Post(Lines(10, "b"), "k"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Contains("different body", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM access WHERE path LIKE '/b/%'"));
    }

    [Fact]
    public async Task BadKey_400()
    {
        using var client = Client();

        var response = await client.SendAsync(Post(Lines(1, "x"), new string('k', 300)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameKeyAtOnceOnTwoNodes_RowsOnceAndTheSameAnswer()
    {
        await using var second = new OpsPortalFactory(_db, settings: Settings);
        second.UseKestrel(0);
        second.StartServer();
        var secondAddress = new Uri(second.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        using var one = Client();
        using var two = Client(secondAddress);
        var body = Lines(3000, "race");

        for (var round = 0; round < 3; round++)
        {
            var key = $"race-{round}";
            var answers = await Task.WhenAll(one.SendAsync(Post(body, key)), two.SendAsync(Post(body, key)), one.SendAsync(Post(body, key)));

            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            Assert.Single((await Task.WhenAll(answers.Select(a => a.Content.ReadAsStringAsync()))).Distinct());
            Assert.Equal(2, answers.Count(a => a.Headers.Contains("Idempotent-Replayed")));
        }
        Assert.Equal(9000L, await ScalarAsync("SELECT count(*) FROM access"));
        Assert.Equal(9000L, await ScalarAsync("SELECT count(DISTINCT id) FROM access"));
    }
}
