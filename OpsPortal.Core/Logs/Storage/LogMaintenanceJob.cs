using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Storage;

public sealed record MaintenanceResult(
    IReadOnlyList<DateOnly> Created, IReadOnlyList<DateOnly> Dropped, int RejectsPurged, PathIndexResult PathIndexes);

/// <summary>
/// Every 15 minutes (JobsSetup): creates the coming days' partitions, drops those past the retention,
/// builds the trigram indexes on <c>path</c> for closed days and today's closed hours and quarters
/// (<see cref="PathIndexes"/>), and purges old rejects and expired <c>Idempotency-Key</c>s. Idempotent, so every node may run it.
/// </summary>
public sealed class LogMaintenanceJob(
    NpgsqlDataSource dataSource,
    IDbContextFactory<OpsDbContext> dbFactory,
    AccessWriter writer,
    EventLog events,
    TimeProvider clock,
    IOptions<LogsOptions> options)
{
    public async Task<MaintenanceResult> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var created = new List<DateOnly>();
        var dropped = new List<DateOnly>();
        PathIndexResult indexed;

        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            for (var day = today; day <= today.AddDays(o.PartitionsAhead); day = day.AddDays(1))
            {
                if (await AccessTable.EnsurePartitionAsync(conn, day, ct))
                {
                    created.Add(day);
                }
            }
            var oldestKept = today.AddDays(-o.RetentionDays + 1);
            foreach (var day in await AccessTable.ListPartitionsAsync(conn, ct))
            {
                if (day < oldestKept)
                {
                    await AccessTable.DropPartitionAsync(conn, day, ct);
                    dropped.Add(day);
                }
            }
            await DropRollupsBeforeAsync(conn, oldestKept, ct);
            indexed = await PathIndexes.BuildAsync(conn, clock.GetUtcNow().UtcDateTime, ct);
        }
        if (dropped.Count > 0)
        {
            writer.ForgetPartitions();
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rejectCutoff = clock.GetUtcNow().AddDays(-o.RejectRetentionDays);
        var purged = await db.LogRejects.Where(r => r.ReceivedAt < rejectCutoff).ExecuteDeleteAsync(ct);
        var keyCutoff = clock.GetUtcNow() - o.IdempotencyKeyRetention;
        await db.LogIngestKeys.Where(k => k.CreatedAt < keyCutoff).ExecuteDeleteAsync(ct);
        if (dropped.Count > 0)
        {
            events.Append(db, "system", "logs.partitions_dropped", "access", "retention",
                $"Dropped {dropped.Count} day(s) of access logs older than {o.RetentionDays} days ({dropped[0]:yyyy-MM-dd} … {dropped[^1]:yyyy-MM-dd})",
                payload: new { days = dropped.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) });
            await db.SaveChangesAsync(ct);
        }
        return new MaintenanceResult(created, dropped, purged, indexed);
    }

    // The rollups of dropped days would otherwise still count rows that no longer exist.
    private static async Task DropRollupsBeforeAsync(NpgsqlConnection conn, DateOnly oldestKept, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            DELETE FROM access_rollup_minute WHERE minute < @day;
            DELETE FROM access_rollup_value WHERE minute < @day;
            DELETE FROM access_rollup_dirty WHERE minute < @day;
            DELETE FROM access_rollup_hour WHERE hour < @day;
            DELETE FROM access_rollup_path WHERE hour < @day;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("day", NpgsqlTypes.NpgsqlDbType.Timestamp) { Value = oldestKept.ToDateTime(TimeOnly.MinValue) });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
