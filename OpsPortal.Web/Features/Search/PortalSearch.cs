using System.Net;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Services;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Web.Features.Search;

/// <summary>One hit of the app-bar search: what it is (a ticket key, page address, number or name), where it goes, what it is called, and a line of context.</summary>
/// <param name="SnippetHtml">HTML-encoded text, with matched words in <c>&lt;mark&gt;</c> for tickets and wiki pages.</param>
public sealed record SearchHit(string Key, string Href, string Title, string SnippetHtml);

/// <summary>The hits of one kind (tickets, wiki, incidents, deploys, services), in this order on the screen.</summary>
public sealed record SearchGroup(string Kind, string Label, IReadOnlyList<SearchHit> Hits);

/// <summary>
/// The app-bar search and <c>GET /api/search</c>: one text, five kinds of things, each searched by the
/// feature that owns it (full text for tickets and wiki, names and numbers for the rest; every query
/// parameterised there). Everything it finds is readable by every role, so the check is that the actor holds
/// one (a signed-in user without a role, or a token of nobody, sees nothing).
/// </summary>
public sealed class PortalSearch(TicketSearch tickets, WikiSearch wiki, IncidentQueries incidents, DeployQueries deploys, ServiceCatalog catalog)
{
    public const int MaxText = 200;

    public async Task<Result<List<SearchGroup>>> SearchAsync(string? text, Actor actor, int perKind = 5, CancellationToken ct = default)
    {
        if (!actor.Has(Roles.Viewer))
        {
            return Refusal.Forbidden("Searching needs the Viewer role or higher.");
        }
        text = (text ?? "").Trim();
        if (text.Length > MaxText)
        {
            return Refusal.Invalid($"The search text is longer than {MaxText} characters.");
        }
        if (text.Length == 0)
        {
            return new List<SearchGroup>();
        }
        perKind = Math.Clamp(perKind, 1, 20);
        // One after the other: each owner opens its own connection, and a keystroke should not take five of the pool.
        var groups = new List<SearchGroup>
        {
            new("tickets", "Tickets", (await tickets.SearchAsync(text, perKind, ct)).TryGet(out var t, out _)
                ? t.Select(h => new SearchHit(h.Key, $"/tickets/{h.Key}", $"{h.Key} {h.Title}", h.SnippetHtml)).ToList() : []),
            new("wiki", "Wiki", (await wiki.SearchAsync(text, perKind, ct)).TryGet(out var w, out _)
                ? w.Select(h => new SearchHit(h.Slug, $"/wiki/{h.Slug}", h.Title, h.SnippetHtml)).ToList() : []),
            new("incidents", "Incidents", (await incidents.SearchAsync(text, perKind, ct))
                .Select(i => new SearchHit(i.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"/incidents/{i.Id}", $"#{i.Id} {i.Title}",
                    Encode($"{Incident.SeverityName(i.Severity)} · {i.Status} · {string.Join(", ", i.Services)}"))).ToList()),
            new("deploys", "Deploys", (await deploys.SearchAsync(text, perKind, ct))
                .Select(d => new SearchHit(d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"/deploys/{d.Id}", $"#{d.Id} {d.Service} {d.Version} → {d.Environment}",
                    Encode($"{d.Action} · {d.Status} · {d.RequestedBy}"))).ToList()),
            new("services", "Services", Services(await catalog.ListAsync(ct), text, perKind)),
        };
        return groups.Where(g => g.Hits.Count > 0).ToList();
    }

    // The catalog is small and read whole (file plus table); a name match ranks above a description match.
    private static List<SearchHit> Services(IReadOnlyList<CatalogService> services, string text, int limit) =>
        services.Where(s => s.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || (s.Description?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false))
            .OrderByDescending(s => s.Name.Contains(text, StringComparison.OrdinalIgnoreCase)).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Take(limit)
            .Select(s => new SearchHit(s.Name, $"/services/{Uri.EscapeDataString(s.Name)}", s.Name, Encode(s.Description ?? ""))).ToList();

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
