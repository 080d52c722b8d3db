using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;

namespace OpsPortal.Core.Verification;

/// <summary>What a page or the API shows of a deploy's judgement (also for deploys not judged yet).</summary>
public sealed record ImpactView(
    long DeployId, string Service, string Environment, string Action, string Version, string? PreviousVersion,
    string Verdict, string Reason, string? Selector,
    DateTimeOffset? SwitchAt, DateTimeOffset? BeforeFrom, DateTimeOffset? BeforeTo, DateTimeOffset? AfterFrom, DateTimeOffset? AfterTo,
    ImpactReport? Report, DateTimeOffset? EvaluatedAt, DateTimeOffset? JudgedAt,
    string? AutoRollback, string? AutoRollbackDetail, long? RollbackDeployId)
{
    public bool IsFinal => ImpactVerdict.IsFinal(Verdict);

    /// <summary>The Logs page with the selector over both windows (null before there is a selector).</summary>
    public string? LogsUrl => Selector is null || BeforeFrom is not { } from || AfterTo is not { } to
        ? null
        : $"/logs?q={Uri.EscapeDataString(Selector)}&from={Uri.EscapeDataString(Iso(from))}&to={Uri.EscapeDataString(Iso(to))}";

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

/// <summary>The read side of deploy verification: one deploy's impact, the verdicts of many, the latest judgements.</summary>
public sealed class DeployImpacts(IDbContextFactory<OpsDbContext> dbFactory, DeployQueries deploys)
{
    public async Task<ImpactView?> GetAsync(long deployId, CancellationToken ct = default)
    {
        var deploy = await deploys.GetAsync(deployId, ct);
        if (deploy is null)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var impact = await db.DeployImpacts.AsNoTracking().SingleOrDefaultAsync(i => i.DeployId == deployId, ct);
        return View(deploy, impact);
    }

    /// <summary>Verdicts by deploy id (deploys without a judgement yet are left out).</summary>
    public async Task<Dictionary<long, string>> VerdictsAsync(IEnumerable<long> deployIds, CancellationToken ct = default)
    {
        var ids = deployIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.DeployImpacts.AsNoTracking().Where(i => ids.Contains(i.DeployId)).ToDictionaryAsync(i => i.DeployId, i => i.Verdict, ct);
    }

    /// <summary>The newest judged or watched deploys (Home, a service's page), optionally of one service.</summary>
    public async Task<List<ImpactView>> RecentAsync(int count, string? service = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.DeployImpacts.AsNoTracking().Where(i => i.Verdict != ImpactVerdict.Skipped);
        if (service is not null)
        {
            q = q.Where(i => i.Service == service);
        }
        var impacts = await q.OrderByDescending(i => i.DeployId).Take(Math.Clamp(count, 1, 100)).ToListAsync(ct);
        return await ViewsAsync(impacts, ct);
    }

    /// <summary>Judgements of deploys of <paramref name="services"/> that switched in [from, to] (the incident review).</summary>
    public async Task<List<ImpactView>> ForServicesAsync(IReadOnlyList<string> services, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var impacts = await db.DeployImpacts.AsNoTracking()
            .Where(i => services.Contains(i.Service) && i.SwitchAt >= from && i.SwitchAt <= to && i.Verdict != ImpactVerdict.Skipped)
            .OrderBy(i => i.SwitchAt).Take(50).ToListAsync(ct);
        return await ViewsAsync(impacts, ct);
    }

    /// <summary>The views of <paramref name="impacts"/> in their order, with their deploys read through Deploys' own queries.</summary>
    private async Task<List<ImpactView>> ViewsAsync(List<DeployImpact> impacts, CancellationToken ct)
    {
        var byId = await deploys.ByIdsAsync([.. impacts.Select(i => i.DeployId)], ct);
        return [.. impacts.Where(i => byId.ContainsKey(i.DeployId)).Select(i => View(byId[i.DeployId], i))];
    }

    private static ImpactView View(Deploy d, DeployImpact? i)
    {
        if (i is null)
        {
            var reason = d.IsActive
                ? "Verification starts when the deploy finishes: its traffic after the switch is compared with the traffic before."
                : "Waiting for the verifier to pick this deploy up.";
            return new ImpactView(d.Id, d.Service, d.Environment, d.Action, d.Version, d.PreviousVersion, ImpactVerdict.Pending, reason,
                null, null, null, null, null, null, null, null, null, null, null, null);
        }
        var report = i.Report?.Deserialize<ImpactReport>(DeployVerification.Json);
        return new ImpactView(d.Id, d.Service, d.Environment, d.Action, d.Version, d.PreviousVersion, i.Verdict, i.Reason, i.Selector,
            i.SwitchAt, i.BeforeFrom, i.BeforeTo, i.AfterFrom, i.AfterTo, report, i.EvaluatedAt, i.JudgedAt,
            i.AutoRollback, i.AutoRollbackDetail, i.RollbackDeployId);
    }
}
