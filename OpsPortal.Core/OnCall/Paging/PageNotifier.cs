using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall.Escalation;
using OpsPortal.Core.OnCall.Schedules;
using OpsPortal.Core.Subscriptions;

namespace OpsPortal.Core.OnCall.Paging;

/// <summary>
/// Pages the current level of a page, on the caller's context: resolves its schedules to whoever is on call now,
/// queues one message per person (with their own acknowledge link) to their channels through the outbox, and one per
/// channel; records every destination and a <c>page.notified</c> event; and sets when the page escalates next.
/// </summary>
public sealed class PageNotifier(NotificationOutbox outbox, PersonalSettingsService personal, EventLog events,
    IOptions<OnCallOptions> options, IOptions<NotificationsOptions> notifications)
{
    public static readonly string Actor = Auth.Actor.System("oncall").Name;

    public const string BrowserDestination = "browser";

    internal async Task NotifyLevelAsync(OpsDbContext db, Page page, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(page);
        var level = page.Levels[page.Level];
        var people = new List<string>();
        var channels = new List<long>();
        var notes = new List<string>();
        foreach (var target in level.Targets)
        {
            switch (target.Kind)
            {
                case EscalationTargetKind.Schedule:
                    var onCall = (await ScheduleService.NowAsync(db, [target.ScheduleId!.Value], now, ct)).SingleOrDefault();
                    if (onCall?.Person is { } person)
                    {
                        people.Add(person);
                    }
                    else
                    {
                        notes.Add(onCall is null ? $"schedule #{target.ScheduleId} no longer exists" : $"nobody is on call in {onCall.Schedule}");
                    }
                    break;
                case EscalationTargetKind.Person:
                    people.Add(target.Person!);
                    break;
                default:
                    channels.Add(target.ChannelId!.Value);
                    break;
            }
        }
        people = people.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var settings = await PersonalSettingsService.ForAsync(db, people, ct);
        var destinations = new List<string>();
        var browser = new List<string>();
        foreach (var person in people)
        {
            var (token, hash) = AckTokens.New();
            var expires = now + options.Value.AckLinkLifetime;
            db.Add(new PageAckToken { PageId = page.Id, Person = person, TokenHash = hash, CreatedAt = now, ExpiresAt = expires });
            var reach = personal.Destinations(settings[person], page: true);
            var ids = await outbox.EnqueueAsync(db, PageMessages.ForPerson(page, token, expires, notifications.Value.PublicUrl),
                reach.Select(d => d.Target).ToList(), ct);
            for (var i = 0; i < reach.Count; i++)
            {
                Record(db, page, now, person, reach[i].Label, ids[i]);
                destinations.Add($"{person} ({reach[i].Label})");
            }
            if (settings[person].BrowserEnabled)
            {
                Record(db, page, now, person, BrowserDestination, null);
                browser.Add(person);
            }
        }
        if (channels.Count > 0)
        {
            var ids = await outbox.EnqueueAsync(db, PageMessages.ForChannel(page, notifications.Value.PublicUrl),
                channels.Select(NotificationTarget.ToChannel).ToList(), ct);
            var names = await NotificationChannels.NamesAsync(db, channels, ct);
            for (var i = 0; i < channels.Count; i++)
            {
                var label = "channel " + names.GetValueOrDefault(channels[i], "#" + channels[i].ToString(CultureInfo.InvariantCulture));
                Record(db, page, now, null, label, ids[i]);
                destinations.Add(label);
            }
        }

        var reached = people.Count + channels.Count > 0;
        // A level with nobody to page does not wait out its timeout: the next level is paged at once.
        page.NextEscalationAt = reached ? now + TimeSpan.FromMinutes(level.TimeoutMinutes) : now;
        var where = $"level {page.Level + 1} of {page.Levels.Count}" + (page.Cycle > 0 ? $" (round {page.Cycle + 1})" : "");
        var summary = reached
            ? $"Paged {string.Join(", ", destinations)} — {where} of {page.PolicyName}" + (notes.Count > 0 ? $"; {string.Join("; ", notes)}" : "")
            : $"Nobody to page at {where} of {page.PolicyName} ({string.Join("; ", notes)}): escalating at once";
        events.Append(db, Actor, OnCallEventKinds.PageNotified, page.EventSubjectType, page.EventSubjectId, Cut(summary, 1000), page.Service,
            new { pageId = page.Id, level = page.Level + 1, cycle = page.Cycle + 1, people, browser, destinations, notes, escalatesAt = page.NextEscalationAt });
    }

    private static void Record(OpsDbContext db, Page page, DateTimeOffset now, string? person, string destination, long? deliveryId) =>
        db.Add(new PageNotification
        {
            PageId = page.Id,
            Level = page.Level,
            Cycle = page.Cycle,
            At = now,
            Person = person,
            Destination = Cut(destination, 300),
            DeliveryId = deliveryId,
        });

    internal static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
