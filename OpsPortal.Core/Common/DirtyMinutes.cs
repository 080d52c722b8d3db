using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core;

/// <summary>
/// The marks of minutes whose raw rows changed since their rollup (<c>access_rollup_dirty</c>,
/// <c>metric_rollup_dirty</c>; ADR-009, ADR-018). A rollup round reads them in its REPEATABLE READ
/// snapshot, recomputes those minutes and deletes exactly the mark rows it read.
/// </summary>
public static class DirtyMinutes
{
    /// <summary>
    /// The marks of the first <paramref name="limit"/> marked minutes before <paramref name="cut"/>: their
    /// row ids (to delete) and the distinct minutes (to recompute), oldest first.
    /// </summary>
    public static async Task<(long[] Ids, DateTime[] Minutes)> ReadAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string table, DateTime cut, int limit, CancellationToken ct)
    {
        if (table is not ("metric_rollup_dirty" or "access_rollup_dirty"))
        {
            throw new ArgumentOutOfRangeException(nameof(table), table, "not a dirty-minute table");
        }
        var ids = new List<long>();
        var minutes = new SortedSet<DateTime>();
#pragma warning disable CA2100 // One of two constant table names, checked above.
        await using var cmd = new NpgsqlCommand($"""
            WITH m AS (SELECT DISTINCT minute FROM {table} WHERE minute < $1 ORDER BY minute LIMIT $2)
            SELECT d.id, d.minute FROM {table} d JOIN m USING (minute)
            """, conn, tx);
#pragma warning restore CA2100
        cmd.Parameters.Add(new NpgsqlParameter { Value = cut, NpgsqlDbType = NpgsqlDbType.Timestamp });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
            minutes.Add(reader.GetDateTime(1));
        }
        return ([.. ids], [.. minutes]);
    }

    /// <summary>The distinct hours of <paramref name="minutes"/>.</summary>
    public static DateTime[] Hours(IEnumerable<DateTime> minutes) =>
        [.. minutes.Select(m => new DateTime(m.Ticks - m.Ticks % TimeSpan.TicksPerHour, m.Kind)).Distinct()];

    /// <summary>The days of the minutes marked before <paramref name="cut"/>: their rollup partitions must exist before a round.</summary>
    public static async Task<List<DateTime>> DaysAsync(NpgsqlConnection conn, string table, DateTime cut, CancellationToken ct)
    {
        if (table is not ("metric_rollup_dirty" or "access_rollup_dirty"))
        {
            throw new ArgumentOutOfRangeException(nameof(table), table, "not a dirty-minute table");
        }
        var days = new List<DateTime>();
#pragma warning disable CA2100 // One of two constant table names, checked above.
        await using var cmd = new NpgsqlCommand($"SELECT DISTINCT date_trunc('day', minute) FROM {table} WHERE minute < $1", conn);
#pragma warning restore CA2100
        cmd.Parameters.Add(new NpgsqlParameter { Value = cut, NpgsqlDbType = NpgsqlDbType.Timestamp });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            days.Add(reader.GetDateTime(0));
        }
        return days;
    }
}
