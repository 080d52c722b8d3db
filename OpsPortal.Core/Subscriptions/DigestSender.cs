using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Core.Subscriptions;

/// <summary>
/// Sends each person one message for everything that waited for them: <see cref="SubscriptionsOptions.DigestDelay"/> after
/// their oldest waiting item (a burst of edits is one message), never in their quiet hours (the items wait until they
/// end; pages do not go through here and are never held). One person's digest is one transaction that takes their
/// items <c>FOR UPDATE SKIP LOCKED</c>, queues the message through the outbox and marks them sent: two nodes never
/// send the same items.
/// </summary>
internal sealed class DigestSender(IDbContextFactory<OpsDbContext> dbs, NotificationOutbox outbox, PersonalSettingsService personal,
    IOptions<SubscriptionsOptions> options, TimeProvider clock)
{
    public const int MaxItemsPerDigest = 50;

    /// <summary>Sends the digests that are due; how many messages were queued.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = now - options.Value.DigestDelay;
        List<string> people;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            people = await db.Set<DigestItem>().Where(i => i.SentAt == null).GroupBy(i => i.UserEmail)
                .Where(g => g.Min(i => i.CreatedAt) <= due).Select(g => g.Key).Take(200).ToListAsync(ct);
        }
        var sent = 0;
        foreach (var person in people)
        {
            sent += await SendAsync(person, now, ct) ? 1 : 0;
        }
        return sent;
    }

    private async Task<bool> SendAsync(string person, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var settings = (await PersonalSettingsService.ForAsync(db, [person], ct))[person];
        if (PersonalSettingsService.InQuietHours(settings, now))
        {
            return false;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var items = await db.Set<DigestItem>().FromSql($"""
            SELECT * FROM digest_items WHERE user_email = {person} AND sent_at IS NULL ORDER BY id LIMIT {MaxItemsPerDigest} FOR UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        if (items.Count == 0)
        {
            return false;
        }
        var reach = personal.Destinations(settings, page: false);
        long? delivery = null;
        if (reach.Count > 0)
        {
            var ids = await outbox.EnqueueAsync(db, Message(person, items), [.. reach.Select(d => d.Target)], ct);
            delivery = ids[0];
        }
        foreach (var item in items)
        {
            // With every channel switched off the items are done: nothing is sent and nothing piles up.
            (item.SentAt, item.DeliveryId) = (now, delivery);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return delivery is not null;
    }

    internal static NotificationMessage Message(string person, IReadOnlyList<DigestItem> items)
    {
        var text = new StringBuilder();
        foreach (var group in items.GroupBy(i => i.Reason))
        {
            text.Append(CultureInfo.InvariantCulture, $"{Heading(group.Key)}:\n");
            foreach (var item in group)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {item.OccurredAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC {item.Summary}\n");
            }
            text.Append('\n');
        }
        text.Append("Change what you hear about: your notification settings (GET/PUT /api/me/notifications).");
        var subjects = items.Where(i => i.Link is not null).Select(i => i.Link!).Distinct().ToList();
        var subject = items.Count == 1 ? items[0].Summary : $"{items.Count} updates: {string.Join(", ", subjects.Take(4).Select(l => l.Split('/')[^1]))}";
        return new NotificationMessage(
            "OpsPortal: " + (subject.Length > 150 ? subject[..149] + "…" : subject), text.ToString(), NotificationSeverity.Info,
            new Dictionary<string, string> { ["kind"] = "digest" },
            [.. subjects.Take(10).Select(l => new NotificationLink(l.TrimStart('/'), l))],
            "user", person);
    }

    private static string Heading(string reason) => reason switch
    {
        "mentioned" => "You were mentioned",
        "assigned" => "Assigned to you",
        "watching" => "Tickets you watch",
        _ => "Your services",
    };
}
