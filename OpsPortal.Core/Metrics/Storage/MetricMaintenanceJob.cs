using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core.Metrics.Storage;

public sealed record MetricMaintenanceResult(IReadOnlyList<string> Created, IReadOnlyList<string> Dropped, IReadOnlyList<string> Kept);

/// <summary>
/// Every 15 minutes (JobsSetup): creates the coming days' partitions (raw points and minute rollups) and
/// this and next month's (hour rollups), and drops partitions past their retention: raw points after
/// <see cref="MetricsOptions.RawRetentionDays"/>, minutes after <see cref="MetricsOptions.MinuteRetentionDays"/>,
/// hours after <see cref="MetricsOptions.HourRetentionMonths"/>. A raw day that still has minutes waiting
/// for the rollup job is kept until they are rolled up, so dropping raw points never changes a total.
/// Idempotent, so every node may run it.
/// </summary>
public sealed partial class MetricMaintenanceJob(
    NpgsqlDataSource dataSource, MetricWriter writer, TimeProvider clock, IOptions<MetricsOptions> options, ILogger<MetricMaintenanceJob> logger)
{
    public async Task<MetricMaintenanceResult> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateTime.SpecifyKind(now.Date, DateTimeKind.Unspecified);
        var created = new List<string>();
        var dropped = new List<string>();
        var kept = new List<string>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);

        for (var day = today; day <= today.AddDays(o.PartitionsAhead); day = day.AddDays(1))
        {
            await EnsureAsync(MetricTables.Points, day);
            await EnsureAsync(MetricTables.Minutes, day);
        }
        await EnsureAsync(MetricTables.Hours, today);
        await EnsureAsync(MetricTables.Hours, today.AddDays(o.PartitionsAhead));

        await DropOlderAsync(MetricTables.Points, today.AddDays(1 - o.RawRetentionDays));
        await DropOlderAsync(MetricTables.Minutes, today.AddDays(1 - o.MinuteRetentionDays));
        await DropOlderAsync(MetricTables.Hours, today.AddMonths(-o.HourRetentionMonths));
        if (dropped.Count > 0)
        {
            writer.ForgetPartitions();
        }

        await using (var cmd = new NpgsqlCommand("""
            DELETE FROM metric_flushes WHERE written_at < @now - interval '2 days';
            DELETE FROM metric_series WHERE last_seen_at < @now - make_interval(months => @months) - interval '1 day';
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter("now", clock.GetUtcNow()));
            cmd.Parameters.Add(new NpgsqlParameter("months", o.HourRetentionMonths));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new MetricMaintenanceResult(created, dropped, kept);

        async Task EnsureAsync(string table, DateTime at)
        {
            if (await MetricTables.EnsurePartitionAsync(conn, table, at, ct))
            {
                created.Add(Name(table, MetricTables.PartitionStart(table, at)));
            }
        }

        // Whole partitions whose end is at or before the oldest instant kept.
        async Task DropOlderAsync(string table, DateTime oldestKept)
        {
            foreach (var (start, name) in await MetricTables.ListPartitionsAsync(conn, table, ct))
            {
                var end = MetricTables.PartitionEnd(table, start);
                if (end > oldestKept)
                {
                    continue;
                }
                if (await HasDirtyMinutesAsync(conn, start, end, ct))
                {
                    kept.Add(name);
                    LogKeptForRollup(name);
                    continue;
                }
                await MetricTables.DropPartitionAsync(conn, table, start, ct);
                dropped.Add(name);
            }
        }
    }

    private static string Name(string table, DateTime start) =>
        table + "_p" + start.ToString(table == MetricTables.Hours ? "yyyyMM" : "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<bool> HasDirtyMinutesAsync(NpgsqlConnection conn, DateTime start, DateTime end, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM metric_rollup_dirty WHERE minute >= $1 AND minute < $2)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = start, NpgsqlDbType = NpgsqlDbType.Timestamp });
        cmd.Parameters.Add(new NpgsqlParameter { Value = end, NpgsqlDbType = NpgsqlDbType.Timestamp });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics: kept {Partition} past its retention: it has minutes the rollup job has not done yet (is RunRollups off on every node?)")]
    private partial void LogKeptForRollup(string partition);
}
