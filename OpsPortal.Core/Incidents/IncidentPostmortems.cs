using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Core.Incidents;

/// <summary>
/// One click, one postmortem: a wiki page from <see cref="PostmortemTemplate"/>, linked from the
/// incident (and linking back). Clicking again, or after a failure half-way, finds the same page.
/// </summary>
public sealed class IncidentPostmortems(
    IDbContextFactory<OpsDbContext> dbFactory, WikiService wiki, IncidentTimeline timeline, EventLog events,
    Services.ServiceCatalog catalog, IOptions<IncidentsOptions> options)
{
    public async Task<Result<string>> CreateAsync(long id, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct) is not { } incident)
        {
            return IncidentRules.NotFound(id);
        }
        if (incident.PostmortemSlug is { } existing)
        {
            return existing;
        }
        var slug = PostmortemTemplate.SlugFor(incident);
        var items = await timeline.BuildAsync(incident, options.Value.TimelineMargin, ct);
        var selectors = await catalog.SelectorsAsync(incident.Services, ct);
        var saved = await wiki.SaveAsync(actor, slug, new WikiSaveRequest(PostmortemTemplate.TitleFor(incident),
            PostmortemTemplate.Render(incident, items, selectors), null, $"Postmortem of incident #{id}", incident.Services), ct);
        // A page already there under this address is this incident's postmortem (an earlier click that did not finish).
        if (saved.Refusal is { Kind: not RefusalKind.Conflict } refusal)
        {
            return IncidentRules.Invalid("The postmortem page could not be created: " + refusal.Detail);
        }
        incident.PostmortemSlug = slug;
        events.Append(db, actor.Name, IncidentEventKinds.PostmortemCreated, IncidentEventKinds.SubjectType, id.ToString(CultureInfo.InvariantCulture),
            $"{actor.Name} started the postmortem of {IncidentService.IncidentName(incident)}", incident.Services.FirstOrDefault(), new { slug });
        await db.SaveChangesAsync(ct);
        return slug;
    }
}
