using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Notifications;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Notifications;

/// <summary>End to end: the outbox, the worker, a real SMTP server (smtp4dev) and a real webhook receiver (Kestrel).</summary>
public sealed class NotificationDeliveryTests : NotificationTestBase
{
    [Fact]
    public async Task Deliver_RoutedToEmailAndSlackWebhook_EachArrivesExactlyOnce_WithSubjectBodyAndLinks()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var to = SmtpTestServer.NewRecipient();
        var mail = await CreateChannelAsync(EmailChannel("ops-mail", to));
        var slack = await CreateChannelAsync(new { name = "ops-slack", kind = "slack", webhookUrl = hook.Url("/services/T0/B0/xyz") });
        await RouteAsync("service=web", mail.Id, slack.Id);

        var ids = await EnqueueAsync(Message());

        Assert.Equal(2, ids.Count);
        var mails = await SmtpTestServer.WaitForMailAsync(to, 1);
        var got = Assert.Single(mails);
        Assert.Equal("[CRITICAL] CRITICAL: 5xx ratio on web", got.Subject);
        Assert.Contains("5xx ratio 7.2 % ≥ 2 % over 5 min, since 10:00 UTC", got.Text, StringComparison.Ordinal);
        Assert.Contains("Alert: https://ops.example.com/alerts/7", got.Text, StringComparison.Ordinal);
        Assert.Contains("Runbook: https://wiki.example.com/web", got.Text, StringComparison.Ordinal);
        Assert.Contains("href=\"https://ops.example.com/alerts/7\"", got.Html, StringComparison.Ordinal);
        Assert.Equal(ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture), got.Header("X-OpsPortal-Delivery"));

        var posts = await hook.WaitForAsync(1);
        var post = Assert.Single(posts);
        Assert.Equal("/services/T0/B0/xyz", post.Path);
        var text = post.Json.GetProperty("text").GetString()!;
        Assert.Contains("*CRITICAL: 5xx ratio on web*", text, StringComparison.Ordinal);
        Assert.Contains("<https://ops.example.com/alerts/7|Alert>", text, StringComparison.Ordinal);
        Assert.Equal("#d32f2f", post.Json.GetProperty("attachments")[0].GetProperty("color").GetString());

        var (emailDelivery, slackDelivery) = (await FinishedAsync(ids[0]), await FinishedAsync(ids[1]));
        Assert.Equal(("sent", 1, 250), (emailDelivery.Delivery.Status, emailDelivery.Delivery.Attempts, emailDelivery.Delivery.ResponseCode));
        Assert.Equal(("sent", 1, 200), (slackDelivery.Delivery.Status, slackDelivery.Delivery.Attempts, slackDelivery.Delivery.ResponseCode));
        await using var db = Database.CreateContext();
        Assert.Equal(2, await db.Events.CountAsync(e => e.Kind == NotificationEventKinds.Delivered && e.SubjectType == "alert" && e.SubjectId == "7"));
    }

    [Fact]
    public async Task Deliver_GenericJsonWebhook_CarriesTheWholeMessage()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var json = await CreateChannelAsync(new { name = "json", kind = "webhook", webhookUrl = hook.Url() });
        await RouteAsync("", json.Id);

        var id = (await EnqueueAsync(Message(severity: "warning"))).Single();

        var body = Assert.Single(await hook.WaitForAsync(1)).Json;
        Assert.Equal(("1", id, "warning", "web", "5xx ratio", "alert", "7", "alert-7", false),
            (body.GetProperty("version").GetString(), body.GetProperty("deliveryId").GetInt64(), body.GetProperty("severity").GetString(),
             body.GetProperty("labels").GetProperty("service").GetString(), body.GetProperty("labels").GetProperty("rule").GetString(),
             body.GetProperty("subjectType").GetString(), body.GetProperty("subjectId").GetString(), body.GetProperty("dedupKey").GetString(),
             body.GetProperty("test").GetBoolean()));
        Assert.Equal("https://ops.example.com/alerts/7", body.GetProperty("links")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task Deliver_ReceiverFailsTwice_RetriedWithGrowingBackOff_ThenSent_LogShowsEveryAttempt()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        hook.FailNext(2, 503);
        var channel = await CreateChannelAsync(new { name = "flaky", kind = "webhook", webhookUrl = hook.Url() });
        await RouteAsync("", channel.Id);

        var id = (await EnqueueAsync(Message())).Single();

        var posts = await hook.WaitForAsync(3);
        Assert.Equal([503, 503, 200], posts.Select(p => p.AnsweredWith));
        Assert.All(posts, p => Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Headers["X-OpsPortal-Delivery"]));
        // RetryDelay 0.4 s doubling with ±20 % jitter: the waits are at least 0.32 s, then 0.64 s. Lower bounds only:
        // a loaded machine can make a retry late, never early.
        var firstGap = posts[1].At - posts[0].At;
        var secondGap = posts[2].At - posts[1].At;
        Assert.True(firstGap >= TimeSpan.FromMilliseconds(300), $"first retry after {firstGap}");
        Assert.True(secondGap >= TimeSpan.FromMilliseconds(620), $"second retry after {secondGap}: the back-off did not double");

        var detail = await FinishedAsync(id);
        Assert.Equal(("sent", 3, 200), (detail.Delivery.Status, detail.Delivery.Attempts, detail.Delivery.ResponseCode));
        Assert.Equal([(1, false, 503), (2, false, 503), (3, true, 200)],
            detail.Attempts.Select(a => (a.Number, a.Succeeded, a.ResponseCode!.Value)));
        Assert.Equal("HTTP 503 Service Unavailable", detail.Attempts[0].Error);
        var log = await Api.GetFromJsonAsync<List<DeliveryLogEntry>>($"/api/notification-channels/{channel.Id}/deliveries");
        Assert.Equal(("sent", 3), (Assert.Single(log!).Status, log![0].Attempts));
    }

    [Fact]
    public async Task Deliver_ReceiverKeepsFailing_GivenUpAfterMaxAttempts_RecordedWithAnEvent()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        hook.Respond(500);
        var channel = await CreateChannelAsync(new { name = "down", kind = "webhook", webhookUrl = hook.Url() });
        await RouteAsync("", channel.Id);

        var id = (await EnqueueAsync(Message())).Single();

        var detail = await FinishedAsync(id);
        Assert.Equal(("failed", 4, 500, "HTTP 500 Internal Server Error"),
            (detail.Delivery.Status, detail.Delivery.Attempts, detail.Delivery.ResponseCode, detail.Delivery.Error));
        Assert.Equal(4, (await hook.WaitForAsync(4)).Count);
        await using var db = Database.CreateContext();
        var ev = await db.Events.SingleAsync(e => e.Kind == NotificationEventKinds.Failed);
        Assert.Contains("given up after 4 attempts", ev.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliver_ReceiverAnswers404_NotRetried()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        hook.Respond(404);
        var channel = await CreateChannelAsync(new { name = "gone", kind = "slack", webhookUrl = hook.Url() });
        await RouteAsync("", channel.Id);

        var id = (await EnqueueAsync(Message())).Single();

        Assert.Equal(("failed", 1), ((await FinishedAsync(id)).Delivery.Status, (await FinishedAsync(id)).Delivery.Attempts));
        Assert.Single(await hook.WaitForAsync(1, settle: TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Deliver_UnreachableWebhook_RetriedWithTheConnectionError()
    {
        // A port nothing listens on: the receiver was stopped.
        var hook = await WebhookReceiver.StartAsync();
        var url = hook.Url();
        await hook.DisposeAsync();
        var channel = await CreateChannelAsync(new { name = "nowhere", kind = "webhook", webhookUrl = url });
        await RouteAsync("", channel.Id);

        var id = (await EnqueueAsync(Message())).Single();

        var detail = await FinishedAsync(id);
        Assert.Equal(("failed", 4), (detail.Delivery.Status, detail.Delivery.Attempts));
        Assert.All(detail.Attempts, a => Assert.Contains("HttpRequestException", a.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deliver_PersonalEmailAndWebhookTargets_ReachThePerson()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var person = SmtpTestServer.NewRecipient("ann");
        var channelRecipient = SmtpTestServer.NewRecipient("team");
        var mail = await CreateChannelAsync(EmailChannel("mail", channelRecipient));
        // No smtpPassword in the change: the stored one is kept.
        var response = await Api.PutAsJsonAsync($"/api/notification-channels/{mail.Id}", new
        {
            name = "mail",
            kind = "email",
            smtpHost = SmtpTestServer.Host,
            smtpPort = SmtpTestServer.Port,
            smtpUsername = SmtpTestServer.User,
            skipCertificateCheck = true,
            emailFrom = "opsportal@test.local",
            emailTo = new[] { channelRecipient },
            personalMail = true,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var ids = await EnqueueAsync(Message(), [NotificationTarget.ToEmail(person), NotificationTarget.ToWebhook(hook.Url("/me"), slack: true)]);

        var got = Assert.Single(await SmtpTestServer.WaitForMailAsync(person, 1));
        Assert.Equal([person], got.To);
        Assert.Empty(await SmtpTestServer.MailsToAsync(channelRecipient));
        Assert.Equal("/me", Assert.Single(await hook.WaitForAsync(1)).Path);
        foreach (var id in ids)
        {
            Assert.Equal("sent", (await FinishedAsync(id)).Delivery.Status);
        }
    }
}
