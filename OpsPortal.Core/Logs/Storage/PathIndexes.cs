using System.Globalization;
using Npgsql;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs.Storage;

/// <summary>What one round of <see cref="PathIndexes.BuildAsync"/> did: the days, hours and quarter-hours it
/// indexed, and how many hour and quarter indexes it dropped because a wider one replaced them.</summary>
public sealed record PathIndexResult(IReadOnlyList<DateOnly> Days, IReadOnlyList<DateTime> Hours, IReadOnlyList<DateTime> Quarters, int Dropped);

/// <summary>
/// Trigram indexes on <c>access.path</c> and <c>access.query</c>, which bare words and path globs (<c>ILIKE</c>) need: a rare
/// word without one reads every row of the range (~0.3 s for a day's 1.4M rows, bench/RESULTS.md).
/// A trigram GIN index that takes inserts makes COPY ~4x slower (docs/logs.md, "Measured facts"), so no index ever sees
/// the rows being written now:
/// <list type="bullet">
/// <item>a closed (past) day's partition gets one index over the whole day;</item>
/// <item>today's open partition gets one <em>partial</em> index per closed hour
/// (<c>WHERE date &gt;= h AND date &lt; h + 1 hour</c>), and the current hour one per closed quarter-hour,
/// so at most 15 minutes of rows are read without an index. New rows fall outside every predicate, so
/// inserts only evaluate the predicates; a search that reads today segment by segment
/// (<see cref="SegmentOf"/>) lets the planner prove each segment's index usable (ADR-017).</item>
/// </list>
/// A wider index replaces the narrower ones once it is valid (quarters → hour → day). Builds are
/// CONCURRENT so late lines are never blocked; an index left invalid by an interrupted build is dropped
/// and rebuilt. One node at a time (advisory lock). Index names are made from dates only, never from input.
/// </summary>
internal static class PathIndexes
{
    private const string Suffix = "_path_trgm";

    /// <summary>Path and query string in one index: a bare word is <c>path ILIKE … OR query ILIKE …</c>, and a
    /// multi-column GIN index answers a condition on either column (ADR-044).</summary>
    public const string Definition = "path gin_trgm_ops, query gin_trgm_ops";
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    public static string DayIndexName(DateOnly day) => AccessTable.PartitionName(day) + Suffix;

    public static string HourIndexName(DateTime hour) => Prefix(hour) + Suffix;

    public static string QuarterIndexName(DateTime quarter) =>
        Prefix(quarter) + "m" + quarter.ToString("mm", CultureInfo.InvariantCulture) + Suffix;

    private static string Prefix(DateTime t) =>
        AccessTable.PartitionName(DateOnly.FromDateTime(t)) + "_h" + t.ToString("HH", CultureInfo.InvariantCulture);

    /// <summary>Whether a trigram index can narrow the rows of this query: a path pattern that every
    /// match must satisfy (not one under a negation).</summary>
    public static bool CanServe(QueryNode node) => node switch
    {
        LikeNode like => like.Field.Column is "path" or "query",
        AndNode and => and.Items.Any(CanServe),
        OrNode or => or.Items.All(CanServe),
        _ => false,
    };

    /// <summary>
    /// The index segment of today that holds <paramref name="t"/>: quarter-hours in the current
    /// and the previous hour (the previous hour's own index is built a minute or so after it closes; until
    /// then its quarters answer), whole hours before that. A range inside one segment can use its index.
    /// </summary>
    public static (DateTime Start, DateTime End) SegmentOf(DateTime t, DateTime now)
    {
        var hour = HourOf(t);
        if (hour < HourOf(now).AddHours(-1))
        {
            return (hour, hour.AddHours(1));
        }
        var quarter = hour.AddMinutes(t.Minute / 15 * 15);
        return (quarter, quarter + Quarter);
    }

    private static DateTime HourOf(DateTime t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, t.Kind);

    public static async Task<PathIndexResult> BuildAsync(NpgsqlConnection conn, DateTime utcNow, CancellationToken ct)
    {
        var days = new List<DateOnly>();
        var hours = new List<DateTime>();
        var quarters = new List<DateTime>();
        var dropped = 0;
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('opsportal.access_path_trgm'))", conn))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
            {
                return new PathIndexResult(days, hours, quarters, dropped);
            }
        }
        try
        {
            var now = DateTime.SpecifyKind(utcNow, DateTimeKind.Unspecified);
            var today = DateOnly.FromDateTime(now);
            var currentHour = HourOf(now);
            var (valid, invalid) = await ExistingAsync(conn, ct);
            var existing = valid.Concat(invalid).ToList();
            foreach (var day in await AccessTable.ListPartitionsAsync(conn, ct))
            {
                var table = AccessTable.PartitionName(day);
                if (day < today)
                {
                    if (await EnsureAsync(conn, DayIndexName(day), table, null, valid, invalid, ct))
                    {
                        days.Add(day);
                    }
                    dropped += await DropAllAsync(conn, existing.Where(n => n.StartsWith(table + "_h", StringComparison.Ordinal)), ct);
                }
                else if (day == today)
                {
                    for (var hour = currentHour.Date; hour < currentHour; hour = hour.AddHours(1))
                    {
                        if (await EnsureAsync(conn, HourIndexName(hour), table, (hour, TimeSpan.FromHours(1)), valid, invalid, ct))
                        {
                            hours.Add(hour);
                        }
                        var prefix = Prefix(hour) + "m";
                        dropped += await DropAllAsync(conn, existing.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)), ct);
                    }
                    for (var quarter = currentHour; quarter + Quarter <= now; quarter += Quarter)
                    {
                        if (await EnsureAsync(conn, QuarterIndexName(quarter), table, (quarter, Quarter), valid, invalid, ct))
                        {
                            quarters.Add(quarter);
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
        return new PathIndexResult(days, hours, quarters, dropped);
    }

    /// <summary>Builds the index unless it is valid already; true when it built one.</summary>
    private static async Task<bool> EnsureAsync(NpgsqlConnection conn, string index, string table, (DateTime From, TimeSpan Length)? range,
        HashSet<string> valid, HashSet<string> invalid, CancellationToken ct)
    {
        if (valid.Contains(index))
        {
            return false;
        }
        await CreateAsync(conn, index, table, range, invalid.Contains(index), ct);
        valid.Add(index);
        return true;
    }

    private static async Task<int> DropAllAsync(NpgsqlConnection conn, IEnumerable<string> indexes, CancellationToken ct)
    {
        var count = 0;
        foreach (var index in indexes)
        {
            await DropAsync(conn, index, ct);
            count++;
        }
        return count;
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

    private static async Task CreateAsync(NpgsqlConnection conn, string index, string table, (DateTime From, TimeSpan Length)? range, bool dropFirst, CancellationToken ct)
    {
        if (dropFirst)
        {
            await DropAsync(conn, index, ct);
        }
        var where = range is { } r
            ? string.Create(CultureInfo.InvariantCulture, $" WHERE date >= '{r.From:yyyy-MM-dd HH:mm:ss}' AND date < '{r.From + r.Length:yyyy-MM-dd HH:mm:ss}'")
            : "";
        // Names and bounds are made from dates here, never taken from input.
#pragma warning disable CA2100
        await using var create = new NpgsqlCommand(
            $"CREATE INDEX CONCURRENTLY IF NOT EXISTS \"{index}\" ON \"{table}\" USING gin ({Definition}){where}", conn)
        { CommandTimeout = 0 };
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
