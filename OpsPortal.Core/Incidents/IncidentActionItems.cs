using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Core.Incidents;

/// <summary>One line of the postmortem's "Action items" checklist, and the ticket made from it (if any).</summary>
public sealed record ActionItemView(string Text, bool Checked, string? TicketKey, string? TicketStatus, bool Done);

/// <summary>
/// The postmortem's "Action items" are a checklist on its wiki page (<c>- [ ] what to do</c>); each
/// becomes a ticket linked to the incident. One ticket per item, whatever happens: the item's row
/// (incident, text) is the primary key and is written in the ticket's transaction, so a double click
/// or a second node finds the first ticket instead of making another.
/// </summary>
public sealed partial class IncidentActionItems(
    IDbContextFactory<OpsDbContext> dbFactory, WikiService wiki, TicketService tickets, TicketHook hook, EventLog events, TimeProvider clock)
{
    [GeneratedRegex(@"^[ \t]{0,3}[-*+][ \t]+\[([ xX])\][ \t]+(\S.*?)[ \t]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex TaskLine();

    [GeneratedRegex(@"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t#]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Heading();

    /// <summary>The task-list lines under the page's "Action items" heading (up to the next heading of its level or higher).</summary>
    internal static IReadOnlyList<(string Text, bool Checked)> Parse(string markdown)
    {
        var items = new List<(string, bool)>();
        int? level = null;
        foreach (var line in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            if (Heading().Match(line) is { Success: true } heading)
            {
                var depth = heading.Groups[1].Length;
                if (level is { } l && depth <= l)
                {
                    break;
                }
                if (level is null && heading.Groups[2].Value.Trim().Equals("Action items", StringComparison.OrdinalIgnoreCase))
                {
                    level = depth;
                }
                continue;
            }
            if (level is not null && TaskLine().Match(line) is { Success: true } task)
            {
                var text = Normalise(task.Groups[2].Value);
                if (text.Length is > 0 and <= TicketRules.MaxTitleLength && !items.Exists(i => i.Item1 == text))
                {
                    items.Add((text, task.Groups[1].Value != " "));
                }
            }
        }
        return items;
    }

    private static string Normalise(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The checklist of the incident's postmortem with each item's ticket; empty without a postmortem.</summary>
    public async Task<Result<IReadOnlyList<ActionItemView>>> ListAsync(long incidentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == incidentId, ct) is not { } incident)
        {
            return IncidentRules.NotFound(incidentId);
        }
        if (incident.PostmortemSlug is not { } slug || await wiki.GetAsync(slug, ct) is not { } page)
        {
            return new List<ActionItemView>();
        }
        var made = await db.Set<IncidentActionItem>().AsNoTracking().Where(a => a.IncidentId == incidentId)
            .ToDictionaryAsync(a => a.Text, a => a.TicketKey, StringComparer.Ordinal, ct);
        var views = new List<ActionItemView>();
        foreach (var (text, isChecked) in Parse(page.Body))
        {
            var ticket = made.TryGetValue(text, out var key) ? await tickets.FindAsync(key, ct) : null;
            views.Add(new ActionItemView(text, isChecked, key, ticket?.Status.ToString(), isChecked || ticket is { IsOpen: false }));
        }
        return views;
    }

    /// <summary>The item's ticket: made now (type task, linked to the incident), or the one made before.</summary>
    public async Task<Result<string>> CreateTicketAsync(long incidentId, string text, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var item = Normalise(text ?? "");
        if (item.Length is 0 or > TicketRules.MaxTitleLength)
        {
            return IncidentRules.Invalid($"An action item is 1 to {TicketRules.MaxTitleLength} characters.");
        }
        var id = incidentId.ToString(CultureInfo.InvariantCulture);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (await db.Incidents.SingleOrDefaultAsync(i => i.Id == incidentId, ct) is not { } incident)
            {
                return IncidentRules.NotFound(incidentId);
            }
            if (await ExistingAsync(db, incidentId, item, ct) is { } existing)
            {
                return existing;
            }
            var description = $"Action item of the postmortem of incident #{id} ({incident.Title})."
                + (incident.PostmortemSlug is { } slug ? $" [[{slug}|Postmortem]]" : "");
            var created = await hook.CreateForAsync(db, new LinkedTicketRequest("task", item, description, incident.Services.FirstOrDefault(), "P3",
                TicketLinkTargets.Incident, id), actor, ct);
            if (!created.TryGet(out var ticket, out var refusal))
            {
                return IncidentRules.Invalid("The action item's ticket: " + refusal.Detail);
            }
            db.Add(new IncidentActionItem { IncidentId = incidentId, Text = item, TicketKey = ticket.Key, CreatedBy = actor.Name, CreatedAt = clock.GetUtcNow() });
            events.Append(db, actor.Name, IncidentEventKinds.ActionItemTicketed, IncidentEventKinds.SubjectType, id,
                $"{actor.Name} made {ticket.Key} from an action item of {IncidentService.IncidentName(incident)}", incident.Services.FirstOrDefault(),
                new { ticket = ticket.Key, item });
            await db.SaveChangesAsync(ct);
            return ticket.Key;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another click or node made it first; its ticket is the one (ours was rolled back with the row).
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            return await ExistingAsync(db, incidentId, item, ct) ?? throw new InvalidOperationException("The action item's row vanished after a conflict.", ex);
        }
    }

    private static Task<string?> ExistingAsync(OpsDbContext db, long incidentId, string item, CancellationToken ct) =>
        db.Set<IncidentActionItem>().AsNoTracking().Where(a => a.IncidentId == incidentId && a.Text == item).Select(a => a.TicketKey).SingleOrDefaultAsync(ct);
}

internal sealed class IncidentActionItem
{
    public long IncidentId { get; set; }
    public required string Text { get; set; }
    public required string TicketKey { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class IncidentActionItemConfiguration : IEntityTypeConfiguration<IncidentActionItem>
{
    public void Configure(EntityTypeBuilder<IncidentActionItem> e)
    {
        e.ToTable("incident_action_items");
        e.HasKey(x => new { x.IncidentId, x.Text });
        e.Property(x => x.Text).HasMaxLength(TicketRules.MaxTitleLength);
        e.Property(x => x.TicketKey).HasMaxLength(64);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }
}
