using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.OnCall;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Tests.Notifications;

namespace OpsPortal.Tests.OnCall;

/// <summary>
/// The chain on a real database and a real SMTP server: a declared SEV1 pages the service's on-call person, nobody
/// acknowledges, the next level is paged after the timeout (exactly once across two escalators), the link in the
/// mail acknowledges once and the incident with it, and then says it was used.
/// </summary>
public sealed partial class PagingTests : NotificationTestBase
{
    private readonly FixedClock _clock = new(new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero));
    private readonly string _ann = SmtpTestServer.NewRecipient("ann");
    private readonly string _bob = SmtpTestServer.NewRecipient("bob");

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>(NodeSettings)
    {
        ["OpsPortal:OnCall:RunEscalator"] = "false",
    };

    protected override void ConfigureHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));

    [GeneratedRegex(@"/ack/([A-Za-z0-9_-]{43})")]
    private static partial Regex AckLink();

    private async Task<long> SetUpCheckoutAsync(int timeoutMinutes = 1)
    {
        await CreateUserAsync(_ann, "Ann-password-1", Roles.Engineer);
        await CreateUserAsync(_bob, "Bob-password-1", Roles.Engineer);
        var channel = await Api.PostAsJsonAsync("/api/notification-channels", new
        {
            name = "mail",
            kind = "email",
            smtpHost = SmtpTestServer.Host,
            smtpPort = SmtpTestServer.Port,
            smtpTls = "starttls",
            smtpUsername = SmtpTestServer.User,
            smtpPassword = SmtpTestServer.Password,
            skipCertificateCheck = true,
            emailFrom = "opsportal@test.local",
            emailTo = new[] { "team@test.local" },
            personalMail = true,
        });
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        var schedule = await Api.PostAsJsonAsync("/api/oncall/schedules", new
        {
            name = "checkout primary",
            timeZone = "Europe/Berlin",
            // ann alone in the rotation: she is on call whenever the test runs.
            layers = new[] { new { name = "primary", rotation = "daily", start = "2026-01-01T00:00", people = new[] { _ann } } },
        });
        Assert.True(schedule.StatusCode == HttpStatusCode.Created, await schedule.Content.ReadAsStringAsync());
        var scheduleId = (await schedule.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var policy = await Api.PostAsJsonAsync("/api/escalation-policies", new
        {
            name = "checkout-oncall",
            levels = new object[]
            {
                new { timeoutMinutes, targets = new[] { new { kind = "schedule", scheduleId } } },
                new { timeoutMinutes = 5, targets = new[] { new { kind = "person", person = _bob } } },
            },
        });
        Assert.True(policy.StatusCode == HttpStatusCode.Created, await policy.Content.ReadAsStringAsync());
        var service = await Api.PutAsJsonAsync("/api/services/checkout", new { description = "shop", owners = new[] { "team:shop" }, escalationPolicy = "checkout-oncall" });
        Assert.True(service.IsSuccessStatusCode, await service.Content.ReadAsStringAsync());
        return scheduleId;
    }

    private async Task<long> DeclareAsync(string severity)
    {
        var declared = await Api.PostAsJsonAsync("/api/incidents", new { title = "Checkout down", severity, services = new[] { "checkout" } });
        Assert.True(declared.StatusCode == HttpStatusCode.Created, await declared.Content.ReadAsStringAsync());
        return (await declared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private PageEscalator Node() => ActivatorUtilities.CreateInstance<PageEscalator>(Factory.Services);

    private async Task<Page> PageOfAsync(long incident)
    {
        await using var db = Database.CreateContext();
        var id = incident.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await db.Set<Page>().AsNoTracking().SingleAsync(p => p.SubjectType == "incident" && p.SubjectId == id);
    }

    [Fact]
    public async Task Sev1_NotAcknowledged_EscalatesOnceAcrossTwoNodes_LinkAcknowledgesOnceThenSaysUsed()
    {
        await SetUpCheckoutAsync();
        var now = await Api.GetFromJsonAsync<JsonElement>("/api/oncall/now?service=checkout");
        Assert.Equal([_ann], now.GetProperty("people").EnumerateArray().Select(p => p.GetString()!).ToArray());
        Assert.Equal("checkout-oncall", now.GetProperty("policy").GetString());

        var incident = await DeclareAsync("SEV1");
        var page = await PageOfAsync(incident);
        Assert.Equal((PageStatus.Triggered, 0, _clock.Now.AddMinutes(1)), (page.Status, page.Level, page.NextEscalationAt!.Value));
        var annMail = Assert.Single(await SmtpTestServer.WaitForMailAsync(_ann, 1));
        Assert.Contains("[PAGE] CRITICAL checkout: SEV1", annMail.Subject, StringComparison.Ordinal);
        var text = annMail.Text ?? "";
        var link = AckLink().Match(text);
        Assert.True(link.Success, text);
        Assert.Contains(PublicUrl + "/ack/" + link.Groups[1].Value, text, StringComparison.Ordinal);

        // Not due yet: nothing happens.
        Assert.False(await Node().EscalateNextAsync(CancellationToken.None));

        _clock.Now = _clock.Now.AddSeconds(61);
        var (a, b) = (Node(), Node());
        var raced = await Task.WhenAll(a.EscalateNextAsync(CancellationToken.None), b.EscalateNextAsync(CancellationToken.None));
        // Two nodes at the same moment: one escalates; the other (or a second round) finds nothing due.
        Assert.Equal(1, raced.Count(x => x));
        Assert.False(await a.EscalateNextAsync(CancellationToken.None));
        page = await PageOfAsync(incident);
        Assert.Equal((PageStatus.Triggered, 1), (page.Status, page.Level));
        Assert.Single(await SmtpTestServer.WaitForMailAsync(_bob, 1));
        await using (var db = Database.CreateContext())
        {
            var escalated = await db.Events.Where(e => e.Kind == OnCallEventKinds.PageEscalated && e.SubjectType == "incident").CountAsync();
            Assert.Equal(1, escalated);
        }

        using var phone = Factory.CreateClient(); // no sign-in: the link's token is the credential
        var ack = await phone.PostAsync($"/api/pages/{link.Groups[1].Value}/ack", null);
        Assert.True(ack.StatusCode == HttpStatusCode.OK, await ack.Content.ReadAsStringAsync());
        var acked = await ack.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Acknowledged", _ann, "link"), (acked.GetProperty("status").GetString(), acked.GetProperty("acknowledgedBy").GetString(),
            acked.GetProperty("via").GetString()));
        var incidentNow = await Api.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}");
        Assert.Equal(JsonValueKind.String, incidentNow.GetProperty("acknowledgedAt").ValueKind);

        var again = await phone.PostAsync($"/api/pages/{link.Groups[1].Value}/ack", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("used", problem.GetProperty("state").GetString());
        Assert.Contains("already used by " + _ann, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Acknowledged: no more escalation, however long nobody does anything.
        _clock.Now = _clock.Now.AddHours(1);
        Assert.False(await Node().EscalateNextAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, (await phone.PostAsync($"/api/pages/{new string('x', 43)}/ack", null)).StatusCode);
    }

    [Fact]
    public async Task AckLink_Expired_Refused_AndIncidentAcknowledgedInAppEndsPage()
    {
        await SetUpCheckoutAsync();
        var incident = await DeclareAsync("SEV2");
        var mail = Assert.Single(await SmtpTestServer.WaitForMailAsync(_ann, 1));
        var token = AckLink().Match(mail.Text!).Groups[1].Value;
        using var phone = Factory.CreateClient();
        // Opening the link (a mail scanner, a preview) only shows the button.
        var shown = await phone.GetAsync($"/ack/{token}");
        var html = await shown.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("Acknowledge this page?", html, StringComparison.Ordinal);
        Assert.Contains($"action=\"/ack/{token}\"", html, StringComparison.Ordinal);
        Assert.Equal(PageStatus.Triggered, (await PageOfAsync(incident)).Status);
        _clock.Now = _clock.Now.AddHours(25); // links live 24 h by default
        Assert.Contains("Link expired", await phone.GetStringAsync($"/ack/{token}"), StringComparison.Ordinal);
        var expired = await phone.PostAsync($"/api/pages/{token}/ack", null);
        Assert.Equal(HttpStatusCode.Conflict, expired.StatusCode);
        Assert.Equal("expired", (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());

        var ack = await Api.PostAsync($"/api/incidents/{incident}/acknowledge", null);
        Assert.True(ack.IsSuccessStatusCode, await ack.Content.ReadAsStringAsync());
        var page = await PageOfAsync(incident);
        Assert.Equal((PageStatus.Acknowledged, "incident"), (page.Status, page.AcknowledgedVia));
        Assert.False(await Node().EscalateNextAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Declare_Sev3NotPagedSev1Paged_ViewerRefusedPagedPersonAcknowledges()
    {
        await SetUpCheckoutAsync();
        var sev3 = await DeclareAsync("SEV3");
        await using (var db = Database.CreateContext())
        {
            Assert.False(await db.Set<Page>().AnyAsync());
        }
        Assert.True(sev3 > 0);
        var sev1 = await DeclareAsync("SEV1");
        var page = await PageOfAsync(sev1);
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/pages/{page.Id}/ack", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/oncall/schedules", new { name = "x" })).StatusCode);
        using var ann = await ClientForAsync(_ann, "Ann-password-1");
        var acked = await ann.PostAsync($"/api/pages/{page.Id}/ack", null);
        Assert.True(acked.IsSuccessStatusCode, await acked.Content.ReadAsStringAsync());
        var log = await Api.GetFromJsonAsync<JsonElement>($"/api/pages/{page.Id}");
        Assert.Contains(log.GetProperty("destinations").EnumerateArray(), d => d.GetProperty("person").GetString() == _ann
            && d.GetProperty("destination").GetString()!.StartsWith("email", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PersonalWebhook_PageDeliveredWithOwnAckLink_UrlNeverShownBack()
    {
        await SetUpCheckoutAsync();
        await using var hook = await WebhookReceiver.StartAsync();
        using var ann = await ClientForAsync(_ann, "Ann-password-1");
        var saved = await ann.PutAsJsonAsync("/api/me/notifications", new { webhookUrl = hook.Url("/ann-secret-path"), webhookSlack = false });
        var shown = await saved.Content.ReadAsStringAsync();
        Assert.True(saved.IsSuccessStatusCode, shown);
        Assert.DoesNotContain("ann-secret-path", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("ann-secret-path", await ann.GetStringAsync("/api/me/notifications"), StringComparison.Ordinal);

        var incident = await DeclareAsync("SEV1");
        var got = Assert.Single(await hook.WaitForAsync(1));
        Assert.Equal("/ann-secret-path", got.Path);
        var link = AckLink().Match(got.Body);
        Assert.True(link.Success, got.Body);
        Assert.Single(await SmtpTestServer.WaitForMailAsync(_ann, 1));

        using var phone = Factory.CreateClient();
        var ack = await phone.PostAsync($"/api/pages/{link.Groups[1].Value}/ack", null);
        Assert.True(ack.StatusCode == HttpStatusCode.OK, await ack.Content.ReadAsStringAsync());
        Assert.Equal(PageStatus.Acknowledged, (await PageOfAsync(incident)).Status);
    }
}
