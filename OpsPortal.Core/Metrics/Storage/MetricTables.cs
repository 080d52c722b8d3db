using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core.Metrics.Storage;

/// <summary>The partitioned metric tables: raw points and minute rollups by day, hour rollups by month.</summary>
public static class MetricTables
{
    public const string Points = "metric_points";
    public const string Minutes = "metric_rollup_minute";
    public const string Hours = "metric_rollup_hour";

    /// <summary>First instant of the partition of <paramref name="table"/> that holds <paramref name="t"/>.</summary>
    public static DateTime PartitionStart(string table, DateTime t) =>
        table == Hours ? new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified) : DateTime.SpecifyKind(t.Date, DateTimeKind.Unspecified);

    public static DateTime PartitionEnd(string table, DateTime start) => table == Hours ? start.AddMonths(1) : start.AddDays(1);

    public static async Task<bool> EnsurePartitionAsync(NpgsqlConnection conn, string table, DateTime at, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT metric_ensure_partition($1, $2)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = table });
        cmd.Parameters.Add(new NpgsqlParameter { Value = PartitionStart(table, at), NpgsqlDbType = NpgsqlDbType.Timestamp });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The partitions of <paramref name="table"/> by their first instant.</summary>
    public static async Task<List<(DateTime Start, string Name)>> ListPartitionsAsync(NpgsqlConnection conn, string table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = $1::regclass
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = table });
        var list = new List<(DateTime, string)>();
        var prefix = table + "_p";
        var format = table == Hours ? "yyyyMM" : "yyyyMMdd";
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            if (name.StartsWith(prefix, StringComparison.Ordinal)
                && DateTime.TryParseExact(name[prefix.Length..], format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
            {
                list.Add((start, name));
            }
        }
        list.Sort();
        return list;
    }

    public static async Task DropPartitionAsync(NpgsqlConnection conn, string table, DateTime start, CancellationToken ct)
    {
        var name = table + "_p" + start.ToString(table == Hours ? "yyyyMM" : "yyyyMMdd", CultureInfo.InvariantCulture);
        // The name is rebuilt from a constant and a date, never taken from input; quoting it is all DDL needs.
#pragma warning disable CA2100
        await using var cmd = new NpgsqlCommand($"DROP TABLE IF EXISTS \"{name}\"", conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
