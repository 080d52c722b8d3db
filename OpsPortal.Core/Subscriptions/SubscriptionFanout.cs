using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Events;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Services;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Core.Subscriptions;

/// <summary>Someone who should hear about an event, and why.</summary>
internal sealed record Recipient(string Person, string Reason);

/// <summary>
/// Turns events of the spine into digest items for the people subscribed to them: the assignee and watchers of a
/// ticket (comments, status changes; the assignee when assigned), the people a change newly mentions (<c>@name</c>) in a ticket, a wiki page or an incident note
/// text, and the owners and followers of a service (its incidents, and its deploys for those who asked). Nobody hears
/// of their own doings.
/// <para>
/// Events are read past a cursor and, again, those of the last <see cref="SubscriptionsOptions.EventGapTimeout"/>: event ids
/// are handed out before commit, so a transaction that commits late can land below the cursor; the re-read window
/// catches it. Items are unique per person and event, so re-reading and a second node doing the same add nothing.
/// </para>
/// </summary>
internal sealed class SubscriptionFanout(IDbContextFactory<OpsDbContext> dbs, TicketService tickets, ServiceCatalog catalog,
    IOptions<SubscriptionsOptions> options, TimeProvider clock)
{
    private const int MaxPerRound = 500;

    private static readonly HashSet<string> TicketKinds =
        [TicketEventKinds.Created, TicketEventKinds.Updated, TicketEventKinds.StatusChanged, TicketEventKinds.Commented, TicketEventKinds.CommentEdited];

    private static readonly HashSet<string> IncidentKinds =
        [IncidentEventKinds.Declared, IncidentEventKinds.Acknowledged, IncidentEventKinds.Mitigated, IncidentEventKinds.Resolved, IncidentEventKinds.Reopened];

    private static readonly HashSet<string> DeployKinds = [DeployEventKinds.Started, DeployEventKinds.Succeeded, DeployEventKinds.Failed];

    // Events whose payload lists the @mentions the change added (tickets, wiki pages, incident notes).
    private static readonly HashSet<string> MentionKinds =
        [.. TicketKinds, WikiEventKinds.PageCreated, WikiEventKinds.PageEdited, IncidentEventKinds.NoteAdded];

    private static readonly string[] Kinds = [.. MentionKinds.Union(IncidentKinds).Union(DeployKinds)];

    /// <summary>Reads the events since the last round and adds their digest items; the number of items added.</summary>
    public async Task<int> FanOutAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var cursor = await CursorAsync(db, ct);
        var window = clock.GetUtcNow() - options.Value.EventGapTimeout;
        var events = await db.Events.AsNoTracking()
            .Where(e => (e.Id > cursor || e.OccurredAt > window) && Kinds.Contains(e.Kind))
            .OrderBy(e => e.Id).Take(MaxPerRound).ToListAsync(ct);
        if (events.Count == 0)
        {
            return 0;
        }
        var known = await PortalPeople.KnownAsync(db, ct);
        var services = (await catalog.ListAsync(ct)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var added = 0;
        var now = clock.GetUtcNow();
        foreach (var ev in events)
        {
            var recipients = (await RecipientsAsync(db, ev, known, services, ct))
                .Where(r => !string.Equals(r.Person, ev.Actor, StringComparison.OrdinalIgnoreCase))
                .DistinctBy(r => r.Person, StringComparer.OrdinalIgnoreCase).ToList();
            var settings = await PersonalSettingsService.ForAsync(db, [.. recipients.Select(r => r.Person)], ct);
            foreach (var r in recipients.Where(r => Wants(settings[r.Person], r.Reason, ev)))
            {
                added += await db.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO digest_items (user_email, event_id, reason, summary, link, occurred_at, created_at)
                    VALUES ({r.Person}, {ev.Id}, {r.Reason}, {ev.Summary}, {Link(ev)}, {ev.OccurredAt}, {now})
                    ON CONFLICT (user_email, event_id) DO NOTHING
                    """, ct);
            }
        }
        var last = events[^1].Id;
        await db.Database.ExecuteSqlInterpolatedAsync($"UPDATE subscription_cursor SET last_event_id = GREATEST(last_event_id, {last}) WHERE id = 1", ct);
        return added;
    }

    // The first round starts at the newest event: a portal that turns subscriptions on does not mail its history.
    private static async Task<long> CursorAsync(OpsDbContext db, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO subscription_cursor (id, last_event_id) SELECT 1, COALESCE(MAX(id), 0) FROM events ON CONFLICT (id) DO NOTHING", ct);
        return await db.Set<SubscriptionCursor>().AsNoTracking().Where(c => c.Id == 1).Select(c => c.LastEventId).SingleAsync(ct);
    }

    private async Task<List<Recipient>> RecipientsAsync(OpsDbContext db, OpsEvent ev, IReadOnlyDictionary<string, string> known,
        Dictionary<string, CatalogService> services, CancellationToken ct)
    {
        var list = new List<Recipient>();
        if (MentionKinds.Contains(ev.Kind))
        {
            foreach (var name in Strings(ev.Payload, "mentions"))
            {
                if (Resolve(name, known) is { } person)
                {
                    list.Add(new Recipient(person, "mentioned"));
                }
            }
        }
        if (TicketKinds.Contains(ev.Kind))
        {
            if (ev.Kind is TicketEventKinds.Commented or TicketEventKinds.StatusChanged
                || (ev.Kind is TicketEventKinds.Created or TicketEventKinds.Updated && Assigned(ev)))
            {
                if (await tickets.GetAsync(ev.SubjectId, ct) is { } details)
                {
                    if (details.Ticket.Assignee is { } assignee)
                    {
                        list.Add(new Recipient(assignee, "assigned"));
                    }
                    if (ev.Kind is TicketEventKinds.Commented or TicketEventKinds.StatusChanged)
                    {
                        list.AddRange(details.Watchers.Select(w => new Recipient(w, "watching")));
                    }
                }
            }
        }
        else if ((IncidentKinds.Contains(ev.Kind) || DeployKinds.Contains(ev.Kind)) && ev.Service is { } service && services.TryGetValue(service, out var entry))
        {
            var owners = entry.Owners.Where(o => known.ContainsKey(o)).Select(o => known[o]);
            var followers = await db.Set<PersonalSettings>().AsNoTracking().Where(s => s.Services.Contains(service)).Select(s => s.UserEmail).ToListAsync(ct);
            list.AddRange(owners.Concat(followers).Select(p => new Recipient(p, "your service")));
        }
        return list;
    }

    private static bool Wants(PersonalSettings s, string reason, OpsEvent ev) => reason switch
    {
        "mentioned" => s.Mentions,
        "assigned" => s.TicketsAssigned,
        "watching" => s.TicketsWatched,
        _ => IncidentKinds.Contains(ev.Kind) ? s.IncidentsOfMyServices : s.DeploysOfMyServices,
    };

    // A ticket created with an assignee, or an update whose changes include the assignee.
    private static bool Assigned(OpsEvent ev)
    {
        if (ev.Payload is not { } payload || payload.RootElement.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        var root = payload.RootElement;
        if (ev.Kind == TicketEventKinds.Created)
        {
            return root.TryGetProperty("Assignee", out var a) && a.ValueKind == JsonValueKind.String;
        }
        return root.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Array
            && changes.EnumerateArray().Any(c => c.TryGetProperty("field", out var f) && f.GetString() == "assignee");
    }

    /// <summary>A mention names a user by email, or by the part before the @ when exactly one user has it.</summary>
    internal static string? Resolve(string name, IReadOnlyDictionary<string, string> known)
    {
        if (known.TryGetValue(name, out var exact))
        {
            return exact;
        }
        var local = known.Values.Where(e => e.Split('@')[0].Equals(name, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return local.Count == 1 ? local[0] : null;
    }

    private static IEnumerable<string> Strings(JsonDocument? payload, string property) =>
        payload is { RootElement.ValueKind: JsonValueKind.Object } && payload.RootElement.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)
            : [];

    private static string? String(JsonDocument? payload, string property) =>
        payload is { RootElement.ValueKind: JsonValueKind.Object } && payload.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? Link(OpsEvent ev) => ev.SubjectType switch
    {
        TicketEventKinds.SubjectType => "/tickets/" + ev.SubjectId,
        IncidentEventKinds.SubjectType => "/incidents/" + ev.SubjectId,
        DeployEventKinds.Subject => "/deploys/" + ev.SubjectId,
        WikiEventKinds.SubjectType when String(ev.Payload, "slug") is { } slug => "/wiki/" + slug,
        _ => null,
    };
}
