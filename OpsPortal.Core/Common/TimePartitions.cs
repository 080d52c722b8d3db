using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core;

/// <summary>
/// Range partitions by time for the rollup tables (metric points and rollups, access-log trends): tables
/// ending in <c>_hour</c> have one partition per month, the others one per day, named
/// <c>table_pYYYYMM[DD]</c>. Retention drops whole partitions instead of deleting rows. The
/// <c>access</c> table keeps its own daily scheme (<c>AccessTable</c>).
/// </summary>
public static class TimePartitions
{
    /// <summary>The tables <c>rollup_ensure_partition</c> accepts (it refuses any other name).</summary>
    public static readonly IReadOnlyList<string> Tables =
        ["metric_points", "metric_rollup_minute", "metric_rollup_hour", "access_trend_minute", "access_trend_hour"];

    /// <summary>Created by the <c>Trends</c> migration; safe to race from several nodes.</summary>
    public const string EnsureFunctionSql = """
        CREATE FUNCTION rollup_ensure_partition(parent text, lo timestamp) RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE
            monthly boolean := parent LIKE '%\_hour';
            first timestamp := CASE WHEN monthly THEN date_trunc('month', lo) ELSE date_trunc('day', lo) END;
            part text := parent || '_p' || to_char(first, CASE WHEN monthly THEN 'YYYYMM' ELSE 'YYYYMMDD' END);
        BEGIN
            IF parent NOT IN ('metric_points', 'metric_rollup_minute', 'metric_rollup_hour', 'access_trend_minute', 'access_trend_hour') THEN
                RAISE EXCEPTION 'not a time-partitioned rollup table: %', parent;
            END IF;
            IF to_regclass(part) IS NOT NULL THEN
                RETURN false;
            END IF;
            -- Serialise creators; a racer that still loses gets duplicate_table or a catalog unique_violation.
            PERFORM pg_advisory_xact_lock(hashtext('opsportal.rollup_partitions'));
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent, first,
                           first + CASE WHEN monthly THEN interval '1 month' ELSE interval '1 day' END);
            RETURN true;
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            RETURN false;
        END
        $$;
        """;

    internal static bool IsMonthly(string table) => table.EndsWith("_hour", StringComparison.Ordinal);

    /// <summary>First instant of the partition of <paramref name="table"/> that holds <paramref name="t"/>.</summary>
    public static DateTime Start(string table, DateTime t) =>
        IsMonthly(table) ? new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified) : DateTime.SpecifyKind(t.Date, DateTimeKind.Unspecified);

    internal static DateTime End(string table, DateTime start) => IsMonthly(table) ? start.AddMonths(1) : start.AddDays(1);

    public static string Name(string table, DateTime start) =>
        table + "_p" + start.ToString(IsMonthly(table) ? "yyyyMM" : "yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Creates the partition holding <paramref name="at"/> unless it exists; true when it was created.</summary>
    public static async Task<bool> EnsureAsync(NpgsqlConnection conn, string table, DateTime at, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT rollup_ensure_partition($1, $2)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = table });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Start(table, at), NpgsqlDbType = NpgsqlDbType.Timestamp });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The partitions of <paramref name="table"/> by their first instant, oldest first.</summary>
    internal static async Task<List<DateTime>> ListAsync(NpgsqlConnection conn, string table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = table });
        var list = new List<DateTime>();
        var prefix = table + "_p";
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            if (name.StartsWith(prefix, StringComparison.Ordinal)
                && DateTime.TryParseExact(name[prefix.Length..], IsMonthly(table) ? "yyyyMM" : "yyyyMMdd", CultureInfo.InvariantCulture,
                    DateTimeStyles.None, out var start))
            {
                list.Add(start);
            }
        }
        list.Sort();
        return list;
    }

    /// <summary>
    /// Drops every whole partition that ends at or before <paramref name="oldestKept"/>, except those
    /// <paramref name="mustKeep"/> says to keep for now (given start and end). Returns the names dropped and kept.
    /// </summary>
    public static async Task<(List<string> Dropped, List<string> Kept)> DropOlderAsync(
        NpgsqlConnection conn, string table, DateTime oldestKept, Func<DateTime, DateTime, Task<bool>> mustKeep, CancellationToken ct)
    {
        var dropped = new List<string>();
        var kept = new List<string>();
        foreach (var start in await ListAsync(conn, table, ct))
        {
            var end = End(table, start);
            if (end > oldestKept)
            {
                continue;
            }
            if (await mustKeep(start, end))
            {
                kept.Add(Name(table, start));
                continue;
            }
            // The name is rebuilt from a known table and a date, never taken from input; quoting is all DDL needs.
#pragma warning disable CA2100
            await using var cmd = new NpgsqlCommand($"DROP TABLE IF EXISTS \"{Name(table, start)}\"", conn);
#pragma warning restore CA2100
            await cmd.ExecuteNonQueryAsync(ct);
            dropped.Add(Name(table, start));
        }
        return (dropped, kept);
    }

    /// <summary>Whether a dirty-minute table (<c>metric_rollup_dirty</c>, <c>access_rollup_dirty</c>) marks a minute in [start, end).</summary>
    public static async Task<bool> HasDirtyMinutesAsync(NpgsqlConnection conn, string dirtyTable, DateTime start, DateTime end, CancellationToken ct)
    {
        if (dirtyTable is not ("metric_rollup_dirty" or "access_rollup_dirty"))
        {
            throw new ArgumentOutOfRangeException(nameof(dirtyTable), dirtyTable, "not a dirty-minute table");
        }
#pragma warning disable CA2100 // One of two constant table names, checked above.
        await using var cmd = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {dirtyTable} WHERE minute >= $1 AND minute < $2)", conn);
#pragma warning restore CA2100
        cmd.Parameters.Add(new NpgsqlParameter { Value = start, NpgsqlDbType = NpgsqlDbType.Timestamp });
        cmd.Parameters.Add(new NpgsqlParameter { Value = end, NpgsqlDbType = NpgsqlDbType.Timestamp });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
