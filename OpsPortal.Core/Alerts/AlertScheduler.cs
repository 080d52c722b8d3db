using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Alerts;

/// <summary>
/// One pass of an evaluator node: claim due rules in batches under a row lease (<c>FOR UPDATE SKIP LOCKED</c>, so
/// two nodes never claim the same rule), evaluate a batch together, record its rounds in one transaction, and
/// declare incidents (ADR-032). A lease lasts one interval: the rules of a node that died are due again, and
/// claimed by another, within it.
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
            total += await RunBatchAsync(ids, node, ct);
            if (ids.Count < ClaimBatch)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// One batch: the rules and their instances in two queries, evaluated together (one statement per shared
    /// window), written in one transaction, then the incidents the rounds asked for (each its own transaction).
    /// </summary>
    private async Task<int> RunBatchAsync(List<long> ids, string node, CancellationToken ct)
    {
        List<RuleToEvaluate> batch;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var rules = await db.AlertRules.AsNoTracking().Where(r => ids.Contains(r.Id)).ToListAsync(ct);
            var instances = (await db.AlertInstances.AsNoTracking().Where(i => ids.Contains(i.RuleId)).ToListAsync(ct)).ToLookup(i => i.RuleId);
            batch = [.. rules.Select(r => new RuleToEvaluate(r, [.. instances[r.Id]]))];
        }
        if (batch.Count == 0)
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var results = await evaluator.EvaluateBatchAsync(batch, now, options.Value.Parallelism, ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var written = await writer.WriteAsync([.. results.Select(r => new AlertRoundWriter.RuleRound(r.Key, now, r.Value, elapsed))], node, ct);
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
