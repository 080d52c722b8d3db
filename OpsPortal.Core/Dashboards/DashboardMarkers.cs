using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Incidents;

namespace OpsPortal.Core.Dashboards;

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter))]
public enum PanelMarkerKind
{
    Deploy,
    Rollback,
    Incident,
    Alert,
}

[ImmutableObject(true)]
public sealed record PanelMarker(DateTimeOffset At, string Label, PanelMarkerKind Kind, string Href);

/// <summary>
/// The moments every time chart marks — finished deploys and rollbacks, declared incidents, alerts firing —
/// read from the events spine. Cached per range under <see cref="Tag"/>; <see cref="DashboardCacheInvalidator"/>
/// drops them on every node when such an event is committed anywhere, so a new deploy's marker shows on the
/// next read.
/// </summary>
public sealed class DashboardMarkers(IDbContextFactory<OpsDbContext> dbFactory, HybridCache cache)
{
    public const string Tag = "markers";
    public const int Max = 200;
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    /// <summary>The event kinds that are markers; an event of one of these invalidates the cached markers.</summary>
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal)
    {
        DeployEventKinds.Succeeded, DeployEventKinds.Failed, IncidentEventKinds.Declared, AlertEventKinds.Fired,
    };

    /// <param name="service">Only this service's markers; null for all.</param>
    public async Task<IReadOnlyList<PanelMarker>> ForRangeAsync(DateTimeOffset from, DateTimeOffset to, string? service, CancellationToken ct)
    {
        var (start, end, _) = PanelRange.Align(from, to);
        var key = $"markers:{start.UtcTicks}:{end.UtcTicks}:{service}";
        var options = new HybridCacheEntryOptions { Expiration = Ttl, LocalCacheExpiration = Ttl };
        var markers = await cache.GetOrCreateAsync(key, (start, end, service), async (s, token) => await ReadAsync(s.start, s.end, s.service, token),
            options, [Tag], ct);
        return markers.Items;
    }

    private async Task<MarkerList> ReadAsync(DateTimeOffset from, DateTimeOffset to, string? service, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var kinds = Kinds.ToList();
        var rows = await db.Events.AsNoTracking()
            .Where(e => kinds.Contains(e.Kind) && e.OccurredAt >= from && e.OccurredAt < to && (service == null || e.Service == service))
            .OrderByDescending(e => e.OccurredAt).Take(Max)
            .Select(e => new { e.OccurredAt, e.Kind, e.SubjectType, e.SubjectId, e.Summary, e.Payload })
            .ToListAsync(ct);
        return new MarkerList([.. rows.OrderBy(r => r.OccurredAt).Select(r =>
            new PanelMarker(r.OccurredAt, r.Summary, KindOf(r.Kind, r.Payload), Href(r.SubjectType, r.SubjectId)))]);
    }

    private static PanelMarkerKind KindOf(string kind, JsonDocument? payload) => kind switch
    {
        IncidentEventKinds.Declared => PanelMarkerKind.Incident,
        AlertEventKinds.Fired => PanelMarkerKind.Alert,
        _ when payload?.RootElement.TryGetProperty("Action", out var action) == true
            && string.Equals(action.ToString(), DeployAction.Rollback, StringComparison.OrdinalIgnoreCase) => PanelMarkerKind.Rollback,
        _ => PanelMarkerKind.Deploy,
    };

    private static string Href(string subjectType, string subjectId) => subjectType switch
    {
        DeployEventKinds.Subject => $"/deploys/{subjectId}",
        IncidentEventKinds.SubjectType => $"/incidents/{subjectId}",
        AlertEventKinds.SubjectType => $"/alerts/rules/{subjectId}",
        _ => "/",
    };

    [ImmutableObject(true)]
    private sealed record MarkerList(IReadOnlyList<PanelMarker> Items);
}
