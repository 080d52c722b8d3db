using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Logs;

public sealed record MaintenanceResult(
    IReadOnlyList<DateOnly> Created, IReadOnlyList<DateOnly> Dropped, int RejectsPurged, IReadOnlyList<DateOnly> PathIndexed);

/// <summary>
/// Hourly: creates the coming days' partitions, drops those past the retention, gives closed (past)
/// partitions a trigram index on <c>path</c>, and purges old rejects. Idempotent, so every node may run it.
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
        var indexed = new List<DateOnly>();

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
            indexed.AddRange(await IndexClosedPartitionsAsync(conn, today, ct));
        }
        if (dropped.Count > 0)
        {
            writer.ForgetPartitions();
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rejectCutoff = clock.GetUtcNow().AddDays(-o.RejectRetentionDays);
        var purged = await db.LogRejects.Where(r => r.ReceivedAt < rejectCutoff).ExecuteDeleteAsync(ct);
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

    // Bare words and path globs are ILIKE on path: without an index a rare word reads the whole range
    // (~1 s for a day of 1.4M rows, bench/RESULTS.md). A trigram GIN index answers it in milliseconds but
    // makes COPY ~4x slower (TOOLCHAIN.md), so only days that no longer take writes get one, built
    // CONCURRENTLY so a late line for that day is not blocked. One node at a time (advisory lock); an
    // index left invalid by an interrupted build is dropped and rebuilt.
    private static async Task<List<DateOnly>> IndexClosedPartitionsAsync(NpgsqlConnection conn, DateOnly today, CancellationToken ct)
    {
        var done = new List<DateOnly>();
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('opsportal.access_path_trgm'))", conn))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
            {
                return done;
            }
        }
        try
        {
            var valid = new HashSet<string>(StringComparer.Ordinal);
            var invalid = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("""
                SELECT c.relname, x.indisvalid FROM pg_class c JOIN pg_index x ON x.indexrelid = c.oid
                WHERE c.relname LIKE 'access\_p%\_path\_trgm'
                """, conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    (reader.GetBoolean(1) ? valid : invalid).Add(reader.GetString(0));
                }
            }
            foreach (var day in await AccessTable.ListPartitionsAsync(conn, ct))
            {
                var table = AccessTable.PartitionName(day);
                var index = table + "_path_trgm";
                if (day >= today || valid.Contains(index))
                {
                    continue;
                }
                // Names are rebuilt from a date, never taken from input.
#pragma warning disable CA2100
                if (invalid.Contains(index))
                {
                    await using var drop = new NpgsqlCommand($"DROP INDEX CONCURRENTLY IF EXISTS \"{index}\"", conn) { CommandTimeout = 0 };
                    await drop.ExecuteNonQueryAsync(ct);
                }
                await using var create = new NpgsqlCommand(
                    $"CREATE INDEX CONCURRENTLY IF NOT EXISTS \"{index}\" ON \"{table}\" USING gin (path gin_trgm_ops)", conn) { CommandTimeout = 0 };
#pragma warning restore CA2100
                await create.ExecuteNonQueryAsync(ct);
                done.Add(day);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('opsportal.access_path_trgm'))", conn);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
        return done;
    }
}
