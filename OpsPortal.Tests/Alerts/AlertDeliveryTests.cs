using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core;
using OpsPortal.Core.Alerts;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Tests.Notifications;
using Xunit.Abstractions;

namespace OpsPortal.Tests.Alerts;

/// <summary>
/// The whole chain on the real app, in real time: its own evaluator loop and delivery worker, log lines ingested
/// through the API, a real webhook receiver, a real SMTP server (smtp4dev), a local HTTP server that goes down
/// and up, and a database outage in the middle.
/// </summary>
public sealed class AlertDeliveryTests(ITestOutputHelper output) : NotificationTestBase
{
    protected override bool BypassPgbouncer => true;

    private const string Service = "alerts-delivery";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient admin = null!;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>(NodeSettings)
    {
        ["OpsPortal:Alerts:RunEvaluator"] = "true",
        ["OpsPortal:Alerts:PollInterval"] = "00:00:00.5",
        ["OpsPortal:Alerts:MinIntervalSeconds"] = "1",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        admin = await ClientForAsync(AdminEmail, AdminPassword);
        await AlertTestBase.DefineServiceAsync(Factory.Services, Service);
    }

    [Fact]
    public async Task Burst_NotifiesWebhookAndEmail_RecoveryNotifiesBoth()
    {
        const string host = "delivery.alerts.test";
        await using var hook = await WebhookReceiver.StartAsync();
        var to = SmtpTestServer.NewRecipient("alert");
        await RouteToAsync(hook, to);
        var rule = await CreateRuleAsync("Delivery 5xx", new { query = "status:5xx", measure = "Ratio", denominator = $"host:{host}", windowSeconds = 60, warning = 10.0, critical = 20.0 });

        var firstBadLine = DateTimeOffset.UtcNow;
        await IngestAsync(host, ok: 5, errors: 15);

        var posts = await hook.WaitForAsync(1, Deadline);
        var problem = Assert.Single(posts);
        Assert.Contains("Delivery 5xx", problem.Body, StringComparison.Ordinal);
        Assert.Contains("CRITICAL", problem.Body, StringComparison.Ordinal);
        var mail = Assert.Single(await SmtpTestServer.WaitForMailAsync(to, 1, Deadline));
        Assert.Contains("Delivery 5xx", mail.Subject, StringComparison.Ordinal);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first bad line → webhook received: {(problem.At - firstBadLine).TotalSeconds:F1} s (rule interval 1 s, poll 0.5 s)"));

        await IngestAsync(host, ok: 600, errors: 0); // 15 of 620 = 2.4 %: below WARNING

        posts = await hook.WaitForAsync(2, Deadline);
        Assert.Equal(2, posts.Count);
        Assert.Contains("[RECOVERED] Delivery 5xx", posts[1].Body, StringComparison.Ordinal);
        var mails = await SmtpTestServer.WaitForMailAsync(to, 2, Deadline);
        Assert.Equal(2, mails.Count);
        Assert.Contains(mails, m => m.Subject.Contains("[RECOVERED] Delivery 5xx", StringComparison.Ordinal));
        Assert.Equal(2, (await EventsAsync(rule, AlertEventKinds.Notified)).Count);
    }

    [Fact]
    public async Task HttpCheck_ServerGoesDownAndUp_NotifiesProblemThenRecovery()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        await RouteToAsync(hook, email: null);
        var checkedServer = await WebhookReceiver.StartAsync();
        var port = checkedServer.BaseAddress.Port;
        var rule = await CreateRuleAsync("Delivery check", new { url = checkedServer.Url("/health"), expectStatus = 200, timeoutSeconds = 2 }, kind: "HttpCheck");
        await WaitUntilAsync(async () => (await InstanceAsync(rule))?.State == AlertState.Ok, "the check is OK while the server is up");

        await checkedServer.DisposeAsync(); // down: connection refused
        var problem = Assert.Single(await hook.WaitForAsync(1, Deadline));
        Assert.Contains("CRITICAL", problem.Body, StringComparison.Ordinal);

        await using var restarted = await WebhookReceiver.StartAsync(port); // up again, same address
        var posts = await hook.WaitForAsync(2, Deadline);
        Assert.Equal(2, posts.Count);
        Assert.Contains("[RECOVERED] Delivery check", posts[1].Body, StringComparison.Ordinal);
        Assert.NotEmpty(restarted.Received);
    }

    [Fact]
    public async Task DatabaseOutage_EvaluatorSurvivesAndResumes_NoDuplicateNotifications()
    {
        const string host = "outage.alerts.test";
        await using var hook = await WebhookReceiver.StartAsync();
        await RouteToAsync(hook, email: null);
        var rule = await CreateRuleAsync("Outage 5xx", new { query = "status:5xx", measure = "Ratio", denominator = $"host:{host}", windowSeconds = 120, warning = 10.0, critical = 20.0 });
        await IngestAsync(host, ok: 5, errors: 15);
        Assert.Single(await hook.WaitForAsync(1, Deadline));

        var health = Factory.Services.GetRequiredService<BackgroundHealth>();
        await Database.SetConnectionsAllowedAsync(false);
        try
        {
            await WaitUntilAsync(() => Task.FromResult(health.Get("alerts.evaluator")?.Failures > 0), "the evaluator notices the outage");
            await Task.Delay(TimeSpan.FromSeconds(3)); // several failed passes while the database is away
        }
        finally
        {
            await Database.SetConnectionsAllowedAsync(true);
        }
        var back = DateTimeOffset.UtcNow;

        // Resumed: rounds are recorded again, the loop is healthy, and the firing alert was not announced again.
        await WaitUntilAsync(async () => (await RuleAsync(rule)).LastRunAt > back.AddSeconds(2), "rounds after the outage");
        await WaitUntilAsync(() => Task.FromResult(health.Get("alerts.evaluator")?.Error is null), "the evaluator is healthy again");
        Assert.Single(await hook.WaitForAsync(2, TimeSpan.FromSeconds(3)));
        Assert.Single(await EventsAsync(rule, AlertEventKinds.Notified));
        Assert.Equal(AlertState.Critical, (await InstanceAsync(rule))!.HardState);

        await IngestAsync(host, ok: 600, errors: 0); // and it still notifies: recovery
        var posts = await hook.WaitForAsync(2, Deadline);
        Assert.Equal(2, posts.Count);
        Assert.Contains("[RECOVERED] Outage 5xx", posts[1].Body, StringComparison.Ordinal);
    }

    private async Task RouteToAsync(WebhookReceiver hook, string? email)
    {
        var channels = new List<long> { (await CreateChannelAsync(new { name = "alert-hook", kind = "webhook", webhookUrl = hook.Url() })).Id };
        if (email is not null)
        {
            channels.Add((await CreateChannelAsync(EmailChannel("alert-mail", email))).Id);
        }
        await RouteAsync($"service={Service}", [.. channels]);
    }

    private async Task<long> CreateRuleAsync(string name, object spec, string kind = "Threshold")
    {
        var response = await Api.PostAsJsonAsync("/api/alerts/rules", new
        {
            name,
            service = Service,
            kind,
            intervalSeconds = 1,
            hardAfter = 1,
            repeatMinutes = 0,
            spec,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Lines stamped one second ago, through the ingest API.</summary>
    private async Task IngestAsync(string host, int ok, int errors)
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(-1);
        var sb = new StringBuilder();
        for (var n = 0; n < ok + errors; n++)
        {
            sb.Append(AlertTestBase.LogLine(host, at, n < errors ? 502 : 200, 0.05)).Append('\n');
        }
        var response = await admin.PostAsync("/api/logs?format=opsportal", new StringContent(sb.ToString(), Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }

    private async Task<AlertRule> RuleAsync(long id)
    {
        await using var db = Database.CreateContext();
        return await db.AlertRules.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    private async Task<AlertInstance?> InstanceAsync(long ruleId)
    {
        await using var db = Database.CreateContext();
        return await db.AlertInstances.AsNoTracking().SingleOrDefaultAsync(i => i.RuleId == ruleId);
    }

    private async Task<List<Core.Events.OpsEvent>> EventsAsync(long ruleId, string kind)
    {
        await using var db = Database.CreateContext();
        var id = ruleId.ToString(CultureInfo.InvariantCulture);
        return await db.Events.Where(e => e.SubjectType == AlertEventKinds.SubjectType && e.SubjectId == id && e.Kind == kind).ToListAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }
}
