using System.Net;
using System.Net.Http.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Notifications;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Notifications;

/// <summary>The real app with its delivery worker, fast retries, an Engineer's API client, and helpers to queue and watch deliveries.</summary>
public abstract class NotificationTestBase : ApiTestBase
{
    protected const string PublicUrl = "https://ops.example.com";
    protected HttpClient Api { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string>? Settings => NodeSettings;

    protected static Dictionary<string, string> NodeSettings => new()
    {
        ["OpsPortal:PublicUrl"] = PublicUrl,
        ["OpsPortal:Notifications:RetryDelay"] = "00:00:00.4",
        ["OpsPortal:Notifications:MaxRetryDelay"] = "00:00:05",
        ["OpsPortal:Notifications:PollInterval"] = "00:00:01",
        ["OpsPortal:Notifications:MaxAttempts"] = "4",
        ["OpsPortal:Notifications:WebhookTimeout"] = "00:00:05",
        ["OpsPortal:Notifications:SmtpTimeout"] = "00:00:10",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("eng@test.local", "Engineer-password-1", Roles.Engineer);
        Api = await ClientForAsync("eng@test.local", "Engineer-password-1");
    }

    protected async Task<ChannelView> CreateChannelAsync(object request)
    {
        var response = await Api.PostAsJsonAsync("/api/notification-channels", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ChannelView>())!;
    }

    protected static object EmailChannel(string name, string to, bool auth = true, bool skipCertificateCheck = true, string? password = null) => new
    {
        name,
        kind = "email",
        smtpHost = SmtpTestServer.Host,
        smtpPort = SmtpTestServer.Port,
        smtpTls = "starttls",
        smtpUsername = auth ? SmtpTestServer.User : null,
        smtpPassword = auth ? password ?? SmtpTestServer.Password : null,
        skipCertificateCheck,
        emailFrom = "opsportal@test.local",
        emailTo = new[] { to },
    };

    protected async Task RouteAsync(string matchers, params long[] channels)
    {
        var parsed = RouteMatcher.Parse(matchers).Value;
        var response = await Api.PutAsJsonAsync("/api/notification-routes",
            new { routes = new[] { new { name = "test", matchers = parsed, channelIds = channels } }, defaultChannelIds = Array.Empty<long>() });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Queues through the outbox the way a feature does: in a context of its own, then saves.</summary>
    protected async Task<IReadOnlyList<long>> EnqueueAsync(NotificationMessage message, IReadOnlyList<NotificationTarget>? targets = null)
    {
        var outbox = Factory.Services.GetRequiredService<NotificationOutbox>();
        await using var db = Database.CreateContext();
        var ids = targets is null
            ? await outbox.EnqueueAsync(db, message, CancellationToken.None)
            : await outbox.EnqueueAsync(db, message, targets, CancellationToken.None);
        await db.SaveChangesAsync();
        return ids;
    }

    protected Task<DeliveryDetail> DeliveryAsync(long id) => DeliveryAsync(Api, id);

    protected static async Task<DeliveryDetail> DeliveryAsync(HttpClient api, long id) =>
        (await api.GetFromJsonAsync<DeliveryDetail>($"/api/notification-deliveries/{id}"))!;

    /// <summary>Waits until the delivery is final (sent or failed) and returns it.</summary>
    protected async Task<DeliveryDetail> FinishedAsync(long id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var d = await DeliveryAsync(id);
            if (d.Delivery.Status is "sent" or "failed" || DateTime.UtcNow > deadline)
            {
                return d;
            }
            await Task.Delay(100);
        }
    }

    internal static NotificationMessage Message(string service = "web", string severity = "critical", string subjectId = "7") =>
        NotificationOutboxTests.Message(service, severity) with { SubjectId = subjectId, DedupKey = "alert-" + subjectId };
}
