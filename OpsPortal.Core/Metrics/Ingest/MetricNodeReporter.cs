using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>What one node's listeners are doing, as <c>GET /api/metrics/listeners</c> and the Metrics page show it.</summary>
public sealed record MetricNodeStatus(
    long Node, string Host, DateTimeOffset StartedAt, DateTimeOffset SeenAt, int? StatsdPort, int? GraphitePort,
    long Lines, long BadLines, long DroppedIntervals, int PendingIntervals,
    IReadOnlyDictionary<string, long> BadByReason, IReadOnlyList<BadMetricLine> RecentBad, bool IsThisNode);

/// <summary>
/// Writes this node's listener state to <c>metric_nodes</c> after every flush, and reads every node's:
/// with two app nodes behind one address, either one can say what both are receiving.
/// </summary>
public sealed class MetricNodeReporter(
    NpgsqlDataSource dataSource, MetricIngest ingest, MetricListener listener, MetricNode node, TimeProvider clock, IOptions<MetricsOptions> options)
{
    /// <summary>A node not heard from for this long is not listed (it stopped, or cannot reach the database).</summary>
    public static readonly TimeSpan Forgotten = TimeSpan.FromHours(1);

    internal MetricNodeStatus Local(int pending, long dropped) => new(
        node.Id, node.Host, node.StartedAt, clock.GetUtcNow(), listener.StatsdUdp?.Port, listener.GraphiteTcp?.Port,
        ingest.Lines, ingest.BadLines, dropped, pending, ingest.BadByReason, ingest.RecentBadLines, true);

    internal async Task ReportAsync(int pending, long dropped, CancellationToken ct)
    {
        var s = Local(pending, dropped);
        await using var batch = dataSource.CreateBatch();
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO metric_nodes (node, host, started_at, seen_at, statsd_port, graphite_port, lines, bad_lines,
                                      dropped_intervals, pending_intervals, bad_by_reason, recent_bad)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at, lines = excluded.lines, bad_lines = excluded.bad_lines,
                dropped_intervals = excluded.dropped_intervals, pending_intervals = excluded.pending_intervals,
                bad_by_reason = excluded.bad_by_reason, recent_bad = excluded.recent_bad
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.Node });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.Host });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.StartedAt });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.SeenAt });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)s.StatsdPort ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)s.GraphitePort ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.Lines });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.BadLines });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.DroppedIntervals });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.PendingIntervals });
        cmd.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(s.BadByReason), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(s.RecentBad), NpgsqlDbType = NpgsqlDbType.Jsonb });
        var forget = new NpgsqlBatchCommand("DELETE FROM metric_nodes WHERE seen_at < $1");
        forget.Parameters.Add(new NpgsqlParameter { Value = s.SeenAt - Forgotten });
        batch.BatchCommands.Add(cmd);
        batch.BatchCommands.Add(forget);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every node heard from lately; this node's entry is live, not its last report.</summary>
    public async Task<IReadOnlyList<MetricNodeStatus>> ListAsync(int pending, long dropped, CancellationToken ct)
    {
        var list = new List<MetricNodeStatus>();
        var o = options.Value;
        if (o.StatsdPort != 0 || o.GraphitePort != 0)
        {
            list.Add(Local(pending, dropped));
        }
        await using var cmd = dataSource.CreateCommand("""
            SELECT node, host, started_at, seen_at, statsd_port, graphite_port, lines, bad_lines, dropped_intervals,
                   pending_intervals, bad_by_reason::text, recent_bad::text
            FROM metric_nodes WHERE node <> $1 AND seen_at >= $2 ORDER BY host, started_at
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = node.Id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() - Forgotten });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new MetricNodeStatus(
                reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetInt32(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt32(9),
                JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(10)) ?? [],
                JsonSerializer.Deserialize<List<BadMetricLine>>(reader.GetString(11)) ?? [], false));
        }
        return list;
    }
}
