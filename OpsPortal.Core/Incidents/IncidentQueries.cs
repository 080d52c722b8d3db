using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Incidents;

public sealed record IncidentListFilter(bool? Open = null, string? Service = null, IncidentSeverity? Severity = null, int Limit = 100);

/// <summary>The read side of incidents: lists, one incident, and the times the metrics need (notes and pins are on the timeline).</summary>
public sealed class IncidentQueries(IDbContextFactory<OpsDbContext> dbFactory)
{
    public const int MaxLimit = 500;

    public async Task<List<Incident>> ListAsync(IncidentListFilter filter, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Incidents.AsNoTracking();
        if (filter.Open is { } open)
        {
            q = open ? q.Where(i => i.Status != IncidentStatus.Resolved) : q.Where(i => i.Status == IncidentStatus.Resolved);
        }
        if (filter.Service is { } service)
        {
            q = q.Where(i => i.Services.Contains(service));
        }
        if (filter.Severity is { } severity)
        {
            q = q.Where(i => i.Severity == severity);
        }
        return await q.OrderByDescending(i => i.StartedAt).ThenByDescending(i => i.Id)
            .Take(Math.Clamp(filter.Limit, 1, MaxLimit)).ToListAsync(ct);
    }

    /// <summary>Open incidents, most severe first: what the Home card and the app bar show.</summary>
    public async Task<List<Incident>> OpenAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Incidents.AsNoTracking().Where(i => i.Status != IncidentStatus.Resolved)
            .OrderBy(i => i.Severity).ThenBy(i => i.StartedAt).Take(MaxLimit).ToListAsync(ct);
    }

    /// <summary>
    /// The app-bar search: incidents whose title or a service contains <paramref name="text"/> (any case), or
    /// whose number it is ("42", "#42"), newest first.
    /// </summary>
    public async Task<List<Incident>> SearchAsync(string text, int limit, CancellationToken ct = default)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return [];
        }
        var pattern = Common.LikePattern.Contains(text);
        var lower = text.ToLowerInvariant();
        var id = Common.SearchedNumber.Of(text);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Incidents.AsNoTracking()
            .Where(i => i.Id == id || EF.Functions.ILike(i.Title, pattern, "\\") || i.Services.Any(s => s.ToLower() == lower))
            .OrderByDescending(i => i.Id == id).ThenByDescending(i => i.StartedAt).ThenByDescending(i => i.Id)
            .Take(Math.Clamp(limit, 1, MaxLimit)).ToListAsync(ct);
    }

    public async Task<Incident?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
    }

    /// <summary>The times of every incident that started before <paramref name="before"/> (MTBF needs the ones before a period too).</summary>
    public async Task<List<IncidentTimes>> TimesAsync(DateTimeOffset? before, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Incidents.AsNoTracking();
        if (before is { } b)
        {
            q = q.Where(i => i.StartedAt < b);
        }
        return await q.Select(i => new IncidentTimes(i.Id, i.Severity, i.Services, i.StartedAt, i.DetectedAt, i.AcknowledgedAt, i.ResolvedAt))
            .ToListAsync(ct);
    }

    public async Task<IncidentMetricSet> MetricsAsync(MetricFilter filter, CancellationToken ct = default) =>
        IncidentMetricsCalculator.Compute(await TimesAsync(filter.To, ct), filter);

    /// <summary>Every service named by an incident, for filters.</summary>
    public async Task<List<string>> ServicesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Database.SqlQuery<string>($"SELECT DISTINCT unnest(services) AS \"Value\" FROM incidents ORDER BY 1").ToListAsync(ct);
    }
}
