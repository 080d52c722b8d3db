using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Deploys;

/// <summary>One cell of the Deploys page: a configured target and its state.</summary>
public sealed record DeployTarget(EnvironmentConfig Config, string? CurrentVersion, Deploy? Last, Deploy? Active, DeployLock? Lock);

/// <param name="Lock">The lock holding on the target now (a freeze is <see cref="DeployBoard.Freeze"/>).</param>
/// <param name="Upcoming">Locks and freezes that do not hold now but will (maintenance windows), soonest first, with their next window.</param>
public sealed record DeployBoard(IReadOnlyList<DeployTarget> Targets, DeployLock? Freeze, DeploySettingsSnapshot Settings)
{
    public IReadOnlyList<UpcomingLock> Upcoming { get; init; } = [];
    public DateTimeOffset At { get; init; }

    /// <summary>When a lock or freeze next starts or ends by itself (a page showing the board reloads then), or null.</summary>
    public DateTimeOffset? NextChange { get; init; }
}

/// <summary>A lock or freeze that will hold from <see cref="From"/> (until <see cref="Until"/>, for ever when null).</summary>
public sealed record UpcomingLock(DeployLock Lock, DateTimeOffset From, DateTimeOffset? Until);

public sealed record DeployHistoryFilter(string? Service = null, string? Environment = null, string? Status = null, string? User = null,
    long? BeforeId = null, int Limit = 50);

/// <summary>Reads for the Deploys pages and the API (writes go through <see cref="DeployStarter"/>).</summary>
public sealed class DeployQueries(IDbContextFactory<OpsDbContext> dbFactory, NpgsqlDataSource dataSource, DeployConfigStore configs, TimeProvider clock)
{
    public const int MaxOutputPage = 5_000;

    public async Task<DeployBoard> BoardAsync(CancellationToken ct = default)
    {
        var settings = configs.Current;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var all = await db.DeployLocks.AsNoTracking().OrderBy(l => l.Id).ToListAsync(ct);
        var locks = all.Where(l => l.HoldsAt(now)).ToList();
        // Latest deploy and latest success per target: DISTINCT ON reads one row per target from the index.
        var latest = await db.Deploys.FromSql($"SELECT DISTINCT ON (service, environment) * FROM deploys ORDER BY service, environment, id DESC")
            .AsNoTracking().ToListAsync(ct);
        var good = await db.Deploys.FromSql($"SELECT DISTINCT ON (service, environment) * FROM deploys WHERE status = 'succeeded' ORDER BY service, environment, id DESC")
            .AsNoTracking().ToListAsync(ct);
        var targets = new List<DeployTarget>();
        foreach (var env in settings.Config?.Services.SelectMany(s => s.Environments) ?? [])
        {
            var last = latest.FirstOrDefault(d => d.Service == env.Service && d.Environment == env.Name);
            targets.Add(new DeployTarget(env,
                good.FirstOrDefault(d => d.Service == env.Service && d.Environment == env.Name)?.Version,
                last, last is { IsActive: true } ? last : null,
                locks.FirstOrDefault(l => l.Service == env.Service && l.Environment == env.Name)));
        }
        var upcoming = all.Where(l => !l.HoldsAt(now)).Select(l => (Lock: l, Next: l.NextWindow(now)))
            .Where(u => u.Next is not null).Select(u => new UpcomingLock(u.Lock, u.Next!.Value.From, u.Next.Value.Until))
            .OrderBy(u => u.From).ToList();
        var nextChange = all.Select(l => l.NextChange(now)).Where(c => c is not null).Min();
        return new DeployBoard(targets, locks.FirstOrDefault(l => l.IsFreeze), settings) { Upcoming = upcoming, At = now, NextChange = nextChange };
    }

    /// <summary>
    /// The app-bar search: deploys whose service, version or environment contains <paramref name="text"/> (any
    /// case), or whose number it is ("42", "#42"), newest first.
    /// </summary>
    public async Task<List<Deploy>> SearchAsync(string text, int limit, CancellationToken ct = default)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return [];
        }
        var pattern = Common.LikePattern.Contains(text);
        long? id = long.TryParse(text.TrimStart('#'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Deploys.AsNoTracking()
            .Where(d => d.Id == id || EF.Functions.ILike(d.Service, pattern, "\\") || EF.Functions.ILike(d.Version, pattern, "\\")
                || EF.Functions.ILike(d.Environment, pattern, "\\"))
            .OrderByDescending(d => d.Id == id).ThenByDescending(d => d.Id)
            .Take(Math.Clamp(limit, 1, 500)).ToListAsync(ct);
    }

    public async Task<Deploy?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Deploys.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
    }

    /// <summary>The deploys with these ids, by id (ids not found are left out).</summary>
    public async Task<Dictionary<long, Deploy>> ByIdsAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Deploys.AsNoTracking().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
    }

    /// <summary>Deploys that finished at or after <paramref name="since"/>, by id after <paramref name="afterId"/> (a keyset page).</summary>
    public async Task<List<Deploy>> FinishedSinceAsync(DateTimeOffset since, long afterId, int limit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Deploys.AsNoTracking().Where(d => d.FinishedAt != null && d.FinishedAt >= since && d.Id > afterId)
            .OrderBy(d => d.Id).Take(Math.Clamp(limit, 1, 500)).ToListAsync(ct);
    }

    /// <summary>The target's next deploy after <paramref name="deployId"/>, if there is one.</summary>
    public async Task<Deploy?> NextOfTargetAsync(string service, string environment, long deployId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Deploys.AsNoTracking()
            .Where(d => d.Service == service && d.Environment == environment && d.Id > deployId)
            .OrderBy(d => d.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>The first rollback of <paramref name="deployId"/>, if one was started.</summary>
    public async Task<long?> RollbackOfAsync(long deployId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Deploys.AsNoTracking().Where(d => d.RollbackOf == deployId).OrderBy(d => d.Id).Select(d => (long?)d.Id).FirstOrDefaultAsync(ct);
    }

    public async Task<List<Deploy>> HistoryAsync(DeployHistoryFilter filter, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Deploys.AsNoTracking();
        if (!string.IsNullOrEmpty(filter.Service))
        {
            q = q.Where(d => d.Service == filter.Service);
        }
        if (!string.IsNullOrEmpty(filter.Environment))
        {
            q = q.Where(d => d.Environment == filter.Environment);
        }
        if (!string.IsNullOrEmpty(filter.Status))
        {
            q = q.Where(d => d.Status == filter.Status);
        }
        if (!string.IsNullOrEmpty(filter.User))
        {
            q = q.Where(d => d.RequestedBy == filter.User);
        }
        if (filter.BeforeId is { } before)
        {
            q = q.Where(d => d.Id < before);
        }
        return await q.OrderByDescending(d => d.Id).Take(Math.Clamp(filter.Limit, 1, 500)).ToListAsync(ct);
    }

    /// <summary>Running deploys and the most recent finished ones, for the Home card.</summary>
    public async Task<List<Deploy>> RecentAsync(int count, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var active = await db.Deploys.AsNoTracking().Where(d => d.Status == DeployStatus.Queued || d.Status == DeployStatus.Running)
            .OrderByDescending(d => d.Id).ToListAsync(ct);
        var recent = await db.Deploys.AsNoTracking().Where(d => d.Status != DeployStatus.Queued && d.Status != DeployStatus.Running)
            .OrderByDescending(d => d.Id).Take(count).ToListAsync(ct);
        return [.. active, .. recent];
    }

    /// <summary>Lines <paramref name="fromSeq"/> (1-based) onwards, at most <paramref name="count"/>: one index range read.</summary>
    public async Task<List<DeployOutputLine>> OutputAsync(long deployId, long fromSeq, int count, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT seq, at, is_error, text FROM deploy_output WHERE deploy_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3");
        cmd.Parameters.Add(new NpgsqlParameter { Value = deployId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = fromSeq });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Math.Clamp(count, 1, MaxOutputPage) });
        return await ReadLinesAsync(deployId, cmd, ct);
    }

    /// <summary>Lines containing <paramref name="text"/> (case-insensitive), from line <paramref name="fromSeq"/> on.</summary>
    public async Task<List<DeployOutputLine>> SearchOutputAsync(long deployId, string text, long fromSeq, int limit, CancellationToken ct = default)
    {
        // strpos, not LIKE: the search text is data, never a pattern.
        await using var cmd = dataSource.CreateCommand(
            "SELECT seq, at, is_error, text FROM deploy_output WHERE deploy_id = $1 AND seq >= $2 AND strpos(lower(text), lower($3)) > 0 ORDER BY seq LIMIT $4");
        cmd.Parameters.Add(new NpgsqlParameter { Value = deployId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = fromSeq });
        cmd.Parameters.Add(new NpgsqlParameter { Value = text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Math.Clamp(limit, 1, MaxOutputPage) });
        return await ReadLinesAsync(deployId, cmd, ct);
    }

    private static async Task<List<DeployOutputLine>> ReadLinesAsync(long deployId, NpgsqlCommand cmd, CancellationToken ct)
    {
        var lines = new List<DeployOutputLine>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            lines.Add(new DeployOutputLine
            {
                DeployId = deployId,
                Seq = reader.GetInt64(0),
                At = reader.GetFieldValue<DateTimeOffset>(1),
                IsError = reader.GetBoolean(2),
                Text = reader.GetString(3),
            });
        }
        return lines;
    }

    /// <summary>Expected duration: the mean of the last five successful runs of the same action on the target.</summary>
    public async Task<TimeSpan?> ExpectedDurationAsync(string service, string environment, string action, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var recent = await db.Deploys.AsNoTracking()
            .Where(d => d.Service == service && d.Environment == environment && d.Action == action
                && d.Status == DeployStatus.Succeeded && d.StartedAt != null && d.FinishedAt != null)
            .OrderByDescending(d => d.Id).Take(5)
            .Select(d => new { d.StartedAt, d.FinishedAt }).ToListAsync(ct);
        return recent.Count == 0 ? null : TimeSpan.FromTicks((long)recent.Average(d => (d.FinishedAt!.Value - d.StartedAt!.Value).Ticks));
    }
}
