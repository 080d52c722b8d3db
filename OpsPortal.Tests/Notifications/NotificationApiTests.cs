using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Notifications;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Notifications;

/// <summary>The channels and routes API: who may do what, what bad input gets, and that secrets never come back or reach a log.</summary>
public sealed class NotificationApiTests : NotificationTestBase
{
    private const string HookSecret = "SeCrEtToKeN-4f9a1c";
    private const string WrongPassword = "Wr0ng-Pa55-5ecret!";
    private readonly CapturedLogs _logs = new();

    protected override void ConfigureHost(IWebHostBuilder builder) =>
        builder.UseSetting("Logging:LogLevel:Default", "Trace").ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));

    [Fact]
    public async Task Secrets_NeverInApiAnswersLogsEventsOrStoredInPlainText()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        hook.FailNext(1, 503);
        var slack = await CreateChannelAsync(new { name = "slack", kind = "slack", webhookUrl = hook.Url($"/services/T0/B0/{HookSecret}") });
        var mail = await CreateChannelAsync(EmailChannel("mail", SmtpTestServer.NewRecipient()));
        var wrong = await CreateChannelAsync(EmailChannel("wrong-password", SmtpTestServer.NewRecipient(), password: WrongPassword));
        var secrets = new[] { HookSecret, WrongPassword, SmtpTestServer.Password };

        var tests = new List<long>();
        foreach (var id in new[] { slack.Id, mail.Id, wrong.Id })
        {
            var queued = await Api.PostAsync($"/api/notification-channels/{id}/test", null);
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
            tests.Add((await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveryId").GetInt64());
        }
        Assert.Equal("sent", (await FinishedAsync(tests[0])).Delivery.Status);
        Assert.Equal("sent", (await FinishedAsync(tests[1])).Delivery.Status);
        var failed = await FinishedAsync(tests[2]);
        Assert.Equal("failed", failed.Delivery.Status);
        Assert.Contains("Authentication", failed.Attempts[0].Error, StringComparison.OrdinalIgnoreCase);

        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");
        var answers = new List<string>();
        foreach (var client in new[] { viewer, Api })
        {
            answers.Add(await client.GetStringAsync("/api/notification-channels"));
            foreach (var id in new[] { slack.Id, mail.Id, wrong.Id })
            {
                answers.Add(await client.GetStringAsync($"/api/notification-channels/{id}"));
                answers.Add(await client.GetStringAsync($"/api/notification-channels/{id}/deliveries"));
            }
            answers.AddRange(await Task.WhenAll(tests.Select(t => client.GetStringAsync($"/api/notification-deliveries/{t}"))));
        }
        var shown = await viewer.GetFromJsonAsync<ChannelView>($"/api/notification-channels/{slack.Id}");
        Assert.Equal(("127.0.0.1", true), (shown!.WebhookHost, shown.SecretSet));

        await using var db = Database.CreateContext();
        var stored = string.Join("\n", (await db.Set<NotificationChannel>().ToListAsync()).Select(c => c.SecretProtected));
        var events = string.Join("\n", (await db.Events.ToListAsync()).Select(e => e.Summary + e.Payload?.RootElement.GetRawText()));
        var logs = _logs.Lines;
        Assert.Contains(logs, l => l.Contains("Notification delivery", StringComparison.Ordinal)); // the capture works
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(answers, a => a.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, events, StringComparison.Ordinal);
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Channels_ViewerReads_OnlyEngineersWrite()
    {
        var channel = await CreateChannelAsync(new { name = "ops", kind = "webhook", webhookUrl = "https://hooks.example.com/x" });
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/notification-channels")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/notification-routes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/notification-channels", new { name = "x", kind = "slack", webhookUrl = "https://a.b/c" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync($"/api/notification-channels/{channel.Id}", new { name = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/notification-channels/{channel.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/notification-channels/{channel.Id}/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync("/api/notification-routes", new { routes = Array.Empty<object>() })).StatusCode);
        using var anonymous = Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/notification-channels")).StatusCode);
    }

    [Fact]
    public async Task Channels_BadInput_ProblemWithEveryField_NothingSaved()
    {
        var response = await Api.PostAsJsonAsync("/api/notification-channels",
            new { name = "", kind = "email", smtpHost = "smtp://x", smtpPort = 70000, emailFrom = "nobody", emailTo = new[] { "a@b.c", "bad" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["emailFrom", "emailTo", "name", "smtpHost", "smtpPort"], errors.EnumerateObject().Select(p => p.Name).Order());
        var badUrl = await Api.PostAsJsonAsync("/api/notification-channels", new { name = "x", kind = "slack", webhookUrl = "ftp://secret-token" });
        Assert.Equal(HttpStatusCode.BadRequest, badUrl.StatusCode);
        Assert.DoesNotContain("secret-token", await badUrl.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await Api.GetFromJsonAsync<List<ChannelView>>("/api/notification-channels") ?? []);

        await CreateChannelAsync(new { name = "ops", kind = "webhook", webhookUrl = "https://hooks.example.com/x" });
        Assert.Equal(HttpStatusCode.Conflict, (await Api.PostAsJsonAsync("/api/notification-channels", new { name = "ops", kind = "slack", webhookUrl = "https://a.b/c" })).StatusCode);
    }

    [Fact]
    public async Task Channels_Update_NullSecretKept_EmptyPasswordRemoved_KindFixed_DeleteDropsItFromRoutes()
    {
        var hook = await CreateChannelAsync(new { name = "hook", kind = "webhook", webhookUrl = "https://hooks.example.com/one" });
        var renamed = await Api.PutAsJsonAsync($"/api/notification-channels/{hook.Id}", new { name = "hook-2", enabled = false });
        var view = (await renamed.Content.ReadFromJsonAsync<ChannelView>())!;
        Assert.Equal(("hook-2", false, "hooks.example.com", true), (view.Name, view.Enabled, view.WebhookHost, view.SecretSet));
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PutAsJsonAsync($"/api/notification-channels/{hook.Id}", new { name = "hook-2", kind = "email" })).StatusCode);

        var mail = await CreateChannelAsync(EmailChannel("mail", "team@test.local"));
        Assert.True(mail.SecretSet);
        var cleared = await Api.PutAsJsonAsync($"/api/notification-channels/{mail.Id}", new
        {
            name = "mail",
            smtpHost = "127.0.0.1",
            emailFrom = "ops@test.local",
            emailTo = new[] { "team@test.local" },
            smtpPassword = "",
        });
        Assert.False((await cleared.Content.ReadFromJsonAsync<ChannelView>())!.SecretSet);

        await RouteAsync("service=web", hook.Id, mail.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync($"/api/notification-channels/{hook.Id}")).StatusCode);
        var table = await Api.GetFromJsonAsync<RoutingTable>("/api/notification-routes");
        Assert.Equal([mail.Id], Assert.Single(table!.Routes).ChannelIds);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/api/notification-channels/{hook.Id}")).StatusCode);
    }

    [Fact]
    public async Task Routes_ReplacedWhole_PreviewFollowsThem_BadMatcherRefused()
    {
        var a = await CreateChannelAsync(new { name = "a", kind = "webhook", webhookUrl = "https://hooks.example.com/a" });
        var b = await CreateChannelAsync(new { name = "b", kind = "webhook", webhookUrl = "https://hooks.example.com/b" });
        var put = await Api.PutAsJsonAsync("/api/notification-routes", new
        {
            routes = new object[]
            {
                new { name = "critical web", matchers = new[] { new { label = "service", op = "=", value = "web" }, new { label = "severity", op = "=", value = "critical" } }, channelIds = new[] { a.Id }, @continue = true },
                new { name = "web", matchers = new[] { new { label = "service", op = "=~", value = "web|api" } }, channelIds = new[] { b.Id } },
            },
            defaultChannelIds = new[] { b.Id },
        });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        async Task<RoutePreview> Preview(string severity, string service) =>
            (await (await Api.PostAsJsonAsync("/api/notification-routes/preview", new { severity, labels = new { service } })).Content.ReadFromJsonAsync<RoutePreview>())!;
        Assert.Equal(["a", "b"], (await Preview("critical", "web")).ChannelNames);
        Assert.Equal(["b"], (await Preview("warning", "web")).ChannelNames);
        Assert.Equal(["Default"], (await Preview("warning", "db")).MatchedRoutes);

        var bad = await Api.PutAsJsonAsync("/api/notification-routes", new
        {
            routes = new[] { new { name = "x", matchers = new[] { new { label = "service", op = "=~", value = "(" } }, channelIds = new[] { 999L } } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("routes[0].matchers", out _) && errors.TryGetProperty("routes[0].channelIds", out _), errors.GetRawText());
        Assert.Equal(2, (await Api.GetFromJsonAsync<RoutingTable>("/api/notification-routes"))!.Routes.Count);
    }

    [Fact]
    public async Task SendTest_DisabledChannelToo_ReceiverGetsATestMessage()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var channel = await CreateChannelAsync(new { name = "quiet", kind = "webhook", webhookUrl = hook.Url(), enabled = false });

        var queued = await Api.PostAsync($"/api/notification-channels/{channel.Id}/test", null);

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var body = Assert.Single(await hook.WaitForAsync(1)).Json;
        Assert.True(body.GetProperty("test").GetBoolean());
        Assert.Equal("Test message for quiet", body.GetProperty("subject").GetString());
    }
}
