using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Notifications;

/// <summary>
/// The one way a feature sends a notification: add the deliveries to the caller's <see cref="OpsDbContext"/>,
/// so they commit with the caller's change (an alert's transition, a page) or not at all — the outbox pattern.
/// The delivery worker on any node sends them after the commit. Nothing is sent from here.
/// </summary>
public sealed class NotificationOutbox(TimeProvider clock, EventLog events, NotificationSecrets secrets)
{
    public static readonly string Actor = Auth.Actor.System("notifications").Name;

    /// <summary>
    /// Queues <paramref name="message"/> for every enabled channel the routes select by its labels (and severity).
    /// Returns the delivery ids, known before the caller commits; none when no route selects a channel.
    /// The caller saves (<c>SaveChangesAsync</c>) as usual.
    /// </summary>
    public async Task<IReadOnlyList<long>> EnqueueAsync(OpsDbContext db, NotificationMessage message, CancellationToken ct)
    {
        message = Normalise(message);
        var routes = await db.Set<NotificationRoute>().AsNoTracking().ToListAsync(ct);
        var (_, channelIds) = NotificationRouting.Select(routes, NotificationRouting.RoutingLabels(message.Labels, message.Severity));
        var channels = await db.Set<NotificationChannel>().AsNoTracking()
            .Where(c => channelIds.Contains(c.Id) && c.Enabled).ToDictionaryAsync(c => c.Id, ct);
        var deliveries = new List<NotificationDelivery>();
        foreach (var id in channelIds.Where(channels.ContainsKey))
        {
            deliveries.Add(await AddAsync(db, message, channels[id].Id, channels[id].Kind, null, null, null, ct));
        }
        Record(db, message, deliveries, deliveries.Select(d => channels[d.ChannelId!.Value].Name).ToList());
        return deliveries.Select(d => d.Id).ToList();
    }

    /// <summary>
    /// Queues <paramref name="message"/> for exactly <paramref name="targets"/> (on-call pages): configured channels
    /// and personal destinations, bypassing the routes. Returns one delivery id per target, in order. A target that
    /// cannot be sent (an unknown or disabled channel, an invalid address, no channel marked for personal mail) still
    /// gets a delivery, recorded as failed with the reason, so the page log says why nobody was reached.
    /// </summary>
    public async Task<IReadOnlyList<long>> EnqueueAsync(OpsDbContext db, NotificationMessage message,
        IReadOnlyList<NotificationTarget> targets, CancellationToken ct)
    {
        message = Normalise(message);
        var ids = targets.Where(t => t.ChannelId is not null).Select(t => t.ChannelId!.Value).Distinct().ToList();
        var channels = await db.Set<NotificationChannel>().AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        NotificationChannel? personalMail = null;
        if (targets.Any(t => t.Kind == ChannelKind.Email))
        {
            personalMail = await db.Set<NotificationChannel>().AsNoTracking()
                .FirstOrDefaultAsync(c => c.PersonalMail && c.Enabled && c.Kind == ChannelKind.Email, ct);
        }

        var deliveries = new List<NotificationDelivery>();
        var names = new List<string>();
        foreach (var target in targets)
        {
            NotificationDelivery delivery;
            if (target.ChannelId is { } channelId)
            {
                var channel = channels.GetValueOrDefault(channelId);
                delivery = await AddAsync(db, message, channel?.Id, channel?.Kind ?? ChannelKind.Webhook, null, null, null, ct);
                names.Add(channel?.Name ?? $"channel {channelId}");
                if (channel is null || !channel.Enabled)
                {
                    Fail(delivery, channel is null ? $"Channel {channelId} does not exist." : $"Channel {channel.Name} is disabled.");
                }
            }
            else if (target.Kind == ChannelKind.Email)
            {
                var address = target.Destination?.Trim() ?? "";
                var valid = NotificationRules.EmailAddress().IsMatch(address);
                delivery = await AddAsync(db, message, valid ? personalMail?.Id : null, ChannelKind.Email,
                    valid ? address : null, null, valid ? address : "(invalid address)", ct);
                names.Add(delivery.DestinationLabel!);
                if (!valid)
                {
                    Fail(delivery, "The personal email address is not valid.");
                }
                else if (personalMail is null)
                {
                    Fail(delivery, "No enabled email channel is marked for personal mail, so personal addresses cannot be sent to.");
                }
            }
            else
            {
                var uri = NotificationRules.WebhookUrl(target.Destination, out var problem);
                delivery = await AddAsync(db, message, null, target.Kind ?? ChannelKind.Webhook, null,
                    uri is null ? null : secrets.Protect(uri.AbsoluteUri), uri?.Host ?? "(invalid webhook URL)", ct);
                names.Add(delivery.DestinationLabel!);
                if (uri is null)
                {
                    Fail(delivery, "The personal " + problem!.TrimStart().Replace("The ", "", StringComparison.Ordinal));
                }
            }
            deliveries.Add(delivery);
        }
        Record(db, message, deliveries, names);
        return deliveries.Select(d => d.Id).ToList();
    }

    private async Task<NotificationDelivery> AddAsync(OpsDbContext db, NotificationMessage m, long? channelId, ChannelKind kind,
        string? recipient, string? destinationProtected, string? destinationLabel, CancellationToken ct, bool isTest = false)
    {
        var now = clock.GetUtcNow();
        var delivery = new NotificationDelivery
        {
            ChannelId = channelId,
            Kind = kind,
            Recipient = recipient,
            DestinationProtected = destinationProtected,
            DestinationLabel = destinationLabel,
            Subject = m.Subject,
            Text = m.Text,
            Severity = m.Severity,
            Labels = new Dictionary<string, string>(m.Labels, StringComparer.Ordinal),
            Links = [.. m.Links],
            SubjectType = m.SubjectType,
            SubjectId = m.SubjectId,
            DedupKey = m.DedupKey,
            IsTest = isTest,
            Status = DeliveryStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
        // AddAsync draws the id from the hi-lo sequence now, before the caller's SaveChanges.
        await db.Set<NotificationDelivery>().AddAsync(delivery, ct);
        return delivery;
    }

    /// <summary>Queues a "send test message" delivery to one channel, enabled or not (the channel page's button).</summary>
    internal async Task<long> EnqueueTestAsync(OpsDbContext db, NotificationChannel channel, NotificationMessage message, CancellationToken ct)
    {
        message = Normalise(message);
        var delivery = await AddAsync(db, message, channel.Id, channel.Kind, null, null, null, ct, isTest: true);
        Record(db, message, [delivery], [channel.Name]);
        return delivery.Id;
    }

    private void Fail(NotificationDelivery delivery, string reason)
    {
        delivery.Status = DeliveryStatus.Failed;
        delivery.LastError = reason;
        delivery.FinishedAt = clock.GetUtcNow();
    }

    private void Record(OpsDbContext db, NotificationMessage m, List<NotificationDelivery> deliveries, List<string> names)
    {
        var service = m.Labels.GetValueOrDefault("service");
        var summary = deliveries.Count == 0
            ? $"Notification \"{m.Subject}\": no route selects a channel"
            : $"Notification \"{m.Subject}\" queued for {string.Join(", ", names)}";
        events.Append(db, Actor, NotificationEventKinds.Queued, m.SubjectType, m.SubjectId, summary, service,
            new { deliveryIds = deliveries.Select(d => d.Id).ToList(), destinations = names });
        foreach (var (failed, name) in deliveries.Zip(names).Where(p => p.First.Status == DeliveryStatus.Failed))
        {
            events.Append(db, Actor, NotificationEventKinds.Failed, m.SubjectType, m.SubjectId,
                $"Notification \"{m.Subject}\" to {name} not sent: {failed.LastError}", service,
                new { deliveryId = failed.Id, channelId = failed.ChannelId });
        }
    }

    /// <summary>Checks what only a bug in the caller could break, and trims what a long value would make unsendable.</summary>
    internal static NotificationMessage Normalise(NotificationMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (!NotificationSeverity.IsValid(m.Severity))
        {
            throw new ArgumentException($"Severity must be one of {string.Join(", ", NotificationSeverity.All)}, not '{m.Severity}'.", nameof(m));
        }
        if (string.IsNullOrWhiteSpace(m.Subject) || string.IsNullOrWhiteSpace(m.SubjectType) || string.IsNullOrWhiteSpace(m.SubjectId))
        {
            throw new ArgumentException("A notification needs a subject line, a subject type and a subject id.", nameof(m));
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in m.Labels ?? new Dictionary<string, string>())
        {
            if (!NotificationRules.LabelName().IsMatch(key))
            {
                throw new ArgumentException($"'{key}' is not a label name.", nameof(m));
            }
            labels[key] = Cut(value ?? "", NotificationRules.MaxLabelValue);
        }
        if (labels.Count > NotificationRules.MaxLabels)
        {
            throw new ArgumentException($"At most {NotificationRules.MaxLabels} labels.", nameof(m));
        }
        var links = (m.Links ?? []).Take(NotificationRules.MaxLinks).ToList();
        foreach (var link in links)
        {
            var ok = link.Url.StartsWith('/') && !link.Url.StartsWith("//", StringComparison.Ordinal)
                || NotificationRules.WebhookUrl(link.Url, out _) is not null;
            if (!ok || string.IsNullOrWhiteSpace(link.Title))
            {
                throw new ArgumentException($"Link '{link.Title}' needs a title and an http(s) URL or a path starting with '/'.", nameof(m));
            }
        }
        var subject = string.Join(' ', m.Subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return m with
        {
            Subject = Cut(subject, NotificationRules.MaxSubject),
            Text = Cut(m.Text ?? "", NotificationRules.MaxText),
            Labels = labels,
            Links = links,
            SubjectType = Cut(m.SubjectType, 64),
            SubjectId = Cut(m.SubjectId, 200),
            DedupKey = m.DedupKey is null ? null : Cut(m.DedupKey, 200),
        };
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : string.Concat(s.AsSpan(0, max - 1), "…");
}
