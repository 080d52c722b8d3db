using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Events;
using OpsPortal.Core.Notifications;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Notifications;

/// <summary>The outbox contract against a real database: what is queued, in whose transaction, and what a bad target records.</summary>
public sealed class NotificationOutboxTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private readonly FixedClock _clock = new(Now);
    private readonly NotificationSecrets _secrets = new(new EphemeralDataProtectionProvider());
    private TestDatabase _database = null!;
    private NotificationOutbox _outbox = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _outbox = new NotificationOutbox(_clock, new EventLog(_clock), _secrets);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    internal static NotificationMessage Message(string service = "web", string severity = "critical") => new(
        "CRITICAL: 5xx ratio on web", "5xx ratio 7.2 % ≥ 2 % over 5 min, since 10:00 UTC", severity,
        new Dictionary<string, string> { ["service"] = service, ["rule"] = "5xx ratio" },
        [new NotificationLink("Alert", "/alerts/7"), new NotificationLink("Runbook", "https://wiki.example.com/web")],
        "alert", "7", "alert-7");

    private async Task<long> ChannelAsync(string name, ChannelKind kind = ChannelKind.Webhook, bool enabled = true, bool personalMail = false)
    {
        await using var db = _database.CreateContext();
        var channel = new NotificationChannel
        {
            Name = name,
            Kind = kind,
            Enabled = enabled,
            PersonalMail = personalMail,
            CreatedBy = "t",
            UpdatedBy = "t",
            SecretProtected = kind == ChannelKind.Email ? null : _secrets.Protect("https://hooks.example.com/" + name),
            SmtpHost = kind == ChannelKind.Email ? "127.0.0.1" : null,
        };
        db.Add(channel);
        await db.SaveChangesAsync();
        return channel.Id;
    }

    private async Task RouteAsync(string matchers, params long[] channels)
    {
        await using var db = _database.CreateContext();
        db.Add(new NotificationRoute { Position = 1, Name = "r", Matchers = RouteMatcher.Parse(matchers).Value, ChannelIds = [.. channels], UpdatedBy = "t" });
        await db.SaveChangesAsync();
    }

    private async Task<List<NotificationDelivery>> DeliveriesAsync()
    {
        await using var db = _database.CreateContext();
        return await db.Set<NotificationDelivery>().OrderBy(d => d.Id).ToListAsync();
    }

    [Fact]
    public async Task EnqueueAsync_RoutedMessage_OneDeliveryPerSelectedEnabledChannel_IdsKnownBeforeCommit()
    {
        var slack = await ChannelAsync("slack", ChannelKind.Slack);
        var mail = await ChannelAsync("mail", ChannelKind.Email);
        var off = await ChannelAsync("off", enabled: false);
        var other = await ChannelAsync("other");
        await RouteAsync("service=web", slack, mail, off, slack);
        await RouteAsync("service=db", other);

        await using (var db = _database.CreateContext())
        {
            var ids = await _outbox.EnqueueAsync(db, Message(), CancellationToken.None);
            Assert.Equal(2, ids.Count);
            Assert.All(ids, id => Assert.True(id > 0));
            Assert.Empty(await DeliveriesAsync());
            await db.SaveChangesAsync();

            var rows = await DeliveriesAsync();
            Assert.Equal(ids.Order(), rows.Select(r => r.Id));
            Assert.Equal([(slack, ChannelKind.Slack), (mail, ChannelKind.Email)], rows.Select(r => (r.ChannelId!.Value, r.Kind)));
            Assert.All(rows, r => Assert.Equal((DeliveryStatus.Pending, 0, Now, "CRITICAL: 5xx ratio on web", "alert", "7", "alert-7"),
                (r.Status, r.Attempts, r.NextAttemptAt, r.Subject, r.SubjectType, r.SubjectId, r.DedupKey)));
            Assert.Equal(Message().Links, rows[0].Links);
            Assert.Equal("web", rows[0].Labels["service"]);
        }
        await using var check = _database.CreateContext();
        var ev = await check.Events.SingleAsync(e => e.Kind == NotificationEventKinds.Queued);
        Assert.Equal(("alert", "7", "web"), (ev.SubjectType, ev.SubjectId, ev.Service));
        Assert.Contains("slack, mail", ev.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnqueueAsync_CallerRollsBack_NothingQueued()
    {
        var slack = await ChannelAsync("slack", ChannelKind.Slack);
        await RouteAsync("", slack);

        await using (var db = _database.CreateContext())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.Single(await _outbox.EnqueueAsync(db, Message(), CancellationToken.None));
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        }

        Assert.Empty(await DeliveriesAsync());
        await using var check = _database.CreateContext();
        Assert.False(await check.Events.AnyAsync(e => e.Kind == NotificationEventKinds.Queued));
    }

    [Fact]
    public async Task EnqueueAsync_NoRouteMatches_DefaultRouteChannels_OrNoneWithAnEvent()
    {
        var fallback = await ChannelAsync("fallback");
        await using (var db = _database.CreateContext())
        {
            // The migration created the default route without channels.
            Assert.Empty(await _outbox.EnqueueAsync(db, Message(), CancellationToken.None));
            await db.SaveChangesAsync();
            Assert.Contains("no route selects a channel", (await db.Events.SingleAsync()).Summary, StringComparison.Ordinal);

            var route = await db.Set<NotificationRoute>().SingleAsync(r => r.IsDefault);
            route.ChannelIds = [fallback];
            await db.SaveChangesAsync();
            var ids = await _outbox.EnqueueAsync(db, Message(), CancellationToken.None);
            await db.SaveChangesAsync();
            Assert.Equal(fallback, (await DeliveriesAsync()).Single(d => d.Id == ids.Single()).ChannelId);
        }
    }

    [Fact]
    public async Task EnqueueAsync_Targets_ChannelsAndPersonalDestinations_OneDeliveryEach_BadOnesFailedWithReason()
    {
        var pager = await ChannelAsync("pager", ChannelKind.Slack);
        var off = await ChannelAsync("off", enabled: false);
        var mail = await ChannelAsync("mail", ChannelKind.Email, personalMail: true);
        const string hook = "https://hooks.example.com/services/T0/B0/SECRET";
        NotificationTarget[] targets =
        [
            NotificationTarget.ToChannel(pager), NotificationTarget.ToEmail("ann@example.com"), NotificationTarget.ToWebhook(hook, slack: true),
            NotificationTarget.ToChannel(off), NotificationTarget.ToChannel(999_999), NotificationTarget.ToEmail("not an address"),
            NotificationTarget.ToWebhook("ftp://x"),
        ];

        IReadOnlyList<long> ids;
        await using (var db = _database.CreateContext())
        {
            ids = await _outbox.EnqueueAsync(db, Message(), targets, CancellationToken.None);
            await db.SaveChangesAsync();
        }

        var rows = (await DeliveriesAsync()).ToDictionary(d => d.Id);
        Assert.Equal(targets.Length, ids.Count);
        var (channel, email, webhook) = (rows[ids[0]], rows[ids[1]], rows[ids[2]]);
        Assert.Equal((pager, DeliveryStatus.Pending), (channel.ChannelId!.Value, channel.Status));
        Assert.Equal((mail, ChannelKind.Email, "ann@example.com", DeliveryStatus.Pending), (email.ChannelId!.Value, email.Kind, email.Recipient, email.Status));
        Assert.Equal((null, ChannelKind.Slack, "hooks.example.com", DeliveryStatus.Pending), (webhook.ChannelId, webhook.Kind, webhook.DestinationLabel, webhook.Status));
        Assert.DoesNotContain("SECRET", webhook.DestinationProtected, StringComparison.Ordinal);
        Assert.Equal(hook, _secrets.Unprotect(webhook.DestinationProtected));
        Assert.All(ids.Skip(3), id => Assert.Equal(DeliveryStatus.Failed, rows[id].Status));
        Assert.Contains("disabled", rows[ids[3]].LastError, StringComparison.Ordinal);
        Assert.Contains("does not exist", rows[ids[4]].LastError, StringComparison.Ordinal);
        Assert.Contains("email address is not valid", rows[ids[5]].LastError, StringComparison.Ordinal);
        Assert.Contains("webhook URL must be", rows[ids[6]].LastError, StringComparison.Ordinal);

        await using var check = _database.CreateContext();
        Assert.Equal(4, await check.Events.CountAsync(e => e.Kind == NotificationEventKinds.Failed && e.SubjectType == "alert"));
        Assert.DoesNotContain((await check.Events.ToListAsync()).Select(e => e.Summary + e.Payload?.RootElement.GetRawText()),
            s => s.Contains("SECRET", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnqueueAsync_PersonalEmailWithoutAMailChannel_FailedWithReason()
    {
        await using var db = _database.CreateContext();
        var id = (await _outbox.EnqueueAsync(db, Message(), [NotificationTarget.ToEmail("ann@example.com")], CancellationToken.None)).Single();
        await db.SaveChangesAsync();

        var row = await db.Set<NotificationDelivery>().SingleAsync(d => d.Id == id);
        Assert.Equal(DeliveryStatus.Failed, row.Status);
        Assert.Contains("No enabled email channel is marked for personal mail", row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_BadSeverityOrLink_Throws_LongSubjectCut()
    {
        Assert.Throws<ArgumentException>(() => NotificationOutbox.Normalise(Message(severity: "fatal")));
        Assert.Throws<ArgumentException>(() => NotificationOutbox.Normalise(Message() with { Links = [new NotificationLink("x", "javascript:alert(1)")] }));
        var cut = NotificationOutbox.Normalise(Message() with { Subject = new string('a', 500) + "\nsecond line" });
        Assert.Equal(NotificationRules.MaxSubject, cut.Subject.Length);
        Assert.DoesNotContain('\n', cut.Subject);
    }
}
