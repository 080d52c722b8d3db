using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Alerts;

/// <summary>
/// One pass of an evaluator node: claim due rules under a row lease (<c>FOR UPDATE SKIP LOCKED</c>, so two
/// nodes never claim the same rule), evaluate them in parallel, record each round, and declare incidents. A
/// lease lasts one interval: the rules of a node that died are due again, and claimed by another, within it.
/// </summary>
internal sealed class AlertScheduler(NpgsqlDataSource dataSource, IDbContextFactory<OpsDbContext> dbs, AlertEvaluator evaluator,
    AlertRoundWriter writer, AlertIncidents incidents, IOptions<AlertsOptions> options, TimeProvider clock)
{
    private const int ClaimBatch = 200;

    /// <summary>Evaluates every rule due now; returns how many rounds this node recorded.</summary>
    public async Task<int> RunDueAsync(string node, CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var ids = await ClaimAsync(node, clock.GetUtcNow(), ct);
            if (ids.Count == 0)
            {
                return total;
            }
            var recorded = 0;
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.Parallelism), CancellationToken = ct },
                async (id, token) =>
                {
                    if (await RunOneAsync(id, node, token))
                    {
                        Interlocked.Increment(ref recorded);
                    }
                });
            total += recorded;
            if (ids.Count < ClaimBatch)
            {
                return total;
            }
        }
    }

    private async Task<bool> RunOneAsync(long id, string node, CancellationToken ct)
    {
        AlertRule? rule;
        List<AlertInstance> previous;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            rule = await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
            previous = await db.AlertInstances.AsNoTracking().Where(i => i.RuleId == id).ToListAsync(ct);
        }
        if (rule is null)
        {
            return false;
        }
        var now = clock.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var results = await evaluator.EvaluateAsync(rule, previous, now, ct);
        var written = await writer.WriteAsync(id, node, now, results, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ct);
        foreach (var instanceId in written.DeclareFor)
        {
            await incidents.DeclareAsync(instanceId, ct);
        }
        return written.Recorded;
    }

    /// <summary>Leases up to <see cref="ClaimBatch"/> due rules to <paramref name="node"/> for one interval each.</summary>
    internal async Task<List<long>> ClaimAsync(string node, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE alert_rules r SET lease_owner = $1, lease_until = $2 + make_interval(secs => r.interval_seconds)
            FROM (SELECT id FROM alert_rules
                  WHERE enabled AND next_run_at <= $2 AND (lease_until IS NULL OR lease_until < $2)
                  ORDER BY next_run_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
            WHERE r.id = due.id
            RETURNING r.id
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = node, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = ClaimBatch, NpgsqlDbType = NpgsqlDbType.Integer });
        var ids = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    /// <summary>Drops measured values older than the retention (every node may; the delete is idempotent).</summary>
    public async Task PruneAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var before = clock.GetUtcNow().AddDays(-options.Value.SampleRetentionDays);
        await db.AlertSamples.Where(s => s.At < before).ExecuteDeleteAsync(ct);
    }
}
