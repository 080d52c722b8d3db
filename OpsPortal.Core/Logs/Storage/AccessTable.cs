using System.Globalization;
using Npgsql;

namespace OpsPortal.Core.Logs.Storage;

/// <summary>
/// The <c>access</c> table: the talk's columns exactly, plus <c>id</c> (keyset paging),
/// <c>source_id</c>, <c>remote_host</c> (a client logged by name) and <c>raw_request</c> (a request
/// line that is not <c>METHOD PATH PROTOCOL</c>). Range-partitioned by day on <c>date</c> (UTC).
/// It is not an EF entity: rows go in by binary COPY and come out through the query language.
/// </summary>
internal static class AccessTable
{
    public const string PartitionPrefix = "access_p";

    public static string PartitionName(DateOnly day) =>
        PartitionPrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static DateOnly? DayOf(string partitionName) =>
        partitionName.StartsWith(PartitionPrefix, StringComparison.Ordinal)
        && DateOnly.TryParseExact(partitionName[PartitionPrefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : null;

    public static async Task<bool> EnsurePartitionAsync(NpgsqlConnection conn, DateOnly day, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT access_ensure_partition($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = day });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public static async Task<List<DateOnly>> ListPartitionsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'access'::regclass
            """, conn);
        var days = new List<DateOnly>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (DayOf(reader.GetString(0)) is { } day)
            {
                days.Add(day);
            }
        }
        days.Sort();
        return days;
    }

    public static async Task DropPartitionAsync(NpgsqlConnection conn, DateOnly day, CancellationToken ct)
    {
        // The name is rebuilt from a date, never taken from input, so quoting it is all the safety DDL needs.
#pragma warning disable CA2100
        await using var cmd = new NpgsqlCommand($"DROP TABLE IF EXISTS \"{PartitionName(day)}\"", conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
