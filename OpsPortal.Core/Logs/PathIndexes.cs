using System.Globalization;
using Npgsql;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs;

/// <summary>What one round of <see cref="PathIndexes.BuildAsync"/> did.</summary>
public sealed record PathIndexResult(IReadOnlyList<DateOnly> Days, IReadOnlyList<DateTime> Hours, int HourIndexesDropped);

/// <summary>
/// Trigram indexes on <c>access.path</c>, which bare words and path globs (<c>ILIKE</c>) need: a rare
/// word without one reads every row of the range (~0.3 s for a day's 1.4M rows, bench/RESULTS.md).
/// A trigram GIN index that takes inserts makes COPY ~4x slower (TOOLCHAIN.md), so no index ever sees
/// the rows being written now:
/// <list type="bullet">
/// <item>a closed (past) day's partition gets one index over the whole day;</item>
/// <item>today's open partition gets one <em>partial</em> index per closed hour
/// (<c>WHERE date &gt;= h AND date &lt; h + 1 hour</c>). New rows fall outside every predicate, so
/// inserts only evaluate the predicates, and a search that reads today hour by hour
/// (<see cref="LogSearch"/>) lets the planner prove each hour's index usable (ADR-017).</item>
/// </list>
/// Once a day's own index is valid its hourly indexes are dropped. Builds are CONCURRENT so late lines
/// are never blocked; an index left invalid by an interrupted build is dropped and rebuilt. One node at
/// a time (advisory lock). Index names are made from dates only, never from input.
/// </summary>
public static class PathIndexes
{
    private const string Suffix = "_path_trgm";

    public static string DayIndexName(DateOnly day) => AccessTable.PartitionName(day) + Suffix;

    public static string HourIndexName(DateTime hour) =>
        AccessTable.PartitionName(DateOnly.FromDateTime(hour)) + "_h" + hour.ToString("HH", CultureInfo.InvariantCulture) + Suffix;

    /// <summary>Whether a trigram index can narrow the rows of this query: a path pattern that every
    /// match must satisfy (not one under a negation).</summary>
    public static bool CanServe(QueryNode node) => node switch
    {
        LikeNode like => like.Field.Column == "path",
        AndNode and => and.Items.Any(CanServe),
        OrNode or => or.Items.All(CanServe),
        _ => false,
    };

    public static async Task<PathIndexResult> BuildAsync(NpgsqlConnection conn, DateTime utcNow, CancellationToken ct)
    {
        var days = new List<DateOnly>();
        var hours = new List<DateTime>();
        var dropped = 0;
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('opsportal.access_path_trgm'))", conn))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
            {
                return new PathIndexResult(days, hours, dropped);
            }
        }
        try
        {
            var today = DateOnly.FromDateTime(utcNow);
            var currentHour = new DateTime(utcNow.Year, utcNow.Month, utcNow.Day, utcNow.Hour, 0, 0, DateTimeKind.Unspecified);
            var (valid, invalid) = await ExistingAsync(conn, ct);
            foreach (var day in await AccessTable.ListPartitionsAsync(conn, ct))
            {
                var table = AccessTable.PartitionName(day);
                if (day < today)
                {
                    var index = DayIndexName(day);
                    if (!valid.Contains(index))
                    {
                        await CreateAsync(conn, index, table, null, invalid.Contains(index), ct);
                        days.Add(day);
                    }
                    foreach (var hourly in valid.Concat(invalid).Where(n => n.StartsWith(table + "_h", StringComparison.Ordinal)).ToList())
                    {
                        await DropAsync(conn, hourly, ct);
                        dropped++;
                    }
                }
                else if (day == today)
                {
                    for (var hour = currentHour.Date; hour < currentHour; hour = hour.AddHours(1))
                    {
                        var index = HourIndexName(hour);
                        if (!valid.Contains(index))
                        {
                            await CreateAsync(conn, index, table, hour, invalid.Contains(index), ct);
                            hours.Add(hour);
                        }
                    }
                }
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('opsportal.access_path_trgm'))", conn);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
        return new PathIndexResult(days, hours, dropped);
    }

    private static async Task<(HashSet<string> Valid, HashSet<string> Invalid)> ExistingAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var invalid = new HashSet<string>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname, x.indisvalid FROM pg_class c JOIN pg_index x ON x.indexrelid = c.oid
            WHERE c.relname LIKE 'access\_p%\_path\_trgm'
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            (reader.GetBoolean(1) ? valid : invalid).Add(reader.GetString(0));
        }
        return (valid, invalid);
    }

    private static async Task CreateAsync(NpgsqlConnection conn, string index, string table, DateTime? hour, bool dropFirst, CancellationToken ct)
    {
        if (dropFirst)
        {
            await DropAsync(conn, index, ct);
        }
        var where = hour is { } h
            ? string.Create(CultureInfo.InvariantCulture, $" WHERE date >= '{h:yyyy-MM-dd HH:mm:ss}' AND date < '{h.AddHours(1):yyyy-MM-dd HH:mm:ss}'")
            : "";
        // Names and bounds are made from dates here, never taken from input.
#pragma warning disable CA2100
        await using var create = new NpgsqlCommand(
            $"CREATE INDEX CONCURRENTLY IF NOT EXISTS \"{index}\" ON \"{table}\" USING gin (path gin_trgm_ops){where}", conn) { CommandTimeout = 0 };
#pragma warning restore CA2100
        await create.ExecuteNonQueryAsync(ct);
    }

    private static async Task DropAsync(NpgsqlConnection conn, string index, CancellationToken ct)
    {
#pragma warning disable CA2100
        await using var drop = new NpgsqlCommand($"DROP INDEX CONCURRENTLY IF EXISTS \"{index}\"", conn) { CommandTimeout = 0 };
#pragma warning restore CA2100
        await drop.ExecuteNonQueryAsync(ct);
    }
}
