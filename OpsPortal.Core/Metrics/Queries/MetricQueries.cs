using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core.Metrics.Queries;

/// <summary>
/// Reads metric series for the API and for dashboard panels (docs/metrics.md). One statement per query,
/// so one snapshot: whole rolled-up minutes or hours come from the rollups, minutes not rolled up yet from
/// the raw points (as ADR-009 does for the access log), so the answer is the same whether or not the
/// rollup job has caught up.
/// </summary>
public sealed partial class MetricQueries(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<MetricsOptions> options)
{
    public const int MaxPoints = 20_000;
    public const int MaxSeries = 500;
    public const int MaxNames = 1_000;
    public const int MaxNameLength = 250;

    [GeneratedRegex(@"^[A-Za-z0-9_.*-]+$")]
    private static partial Regex PatternChars();

    public async Task<Result<MetricSeriesResult>> SeriesAsync(MetricSeriesQuery q, CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(q.Name) || q.Name.Length > MaxNameLength || !PatternChars().IsMatch(q.Name))
        {
            return Refusal.InvalidField("name",
                "name must be a metric name (letters, digits, _ - .) or a pattern with * for any characters within one segment.");
        }
        if (q.From >= q.To)
        {
            return Refusal.InvalidField("from", "'from' must be before 'to'.");
        }
        var step = q.Step ?? MetricResolutions.AutoStep(q.To - q.From, o.FlushInterval);
        if (step < o.FlushInterval || step.Ticks % o.FlushInterval.Ticks != 0)
        {
            return Refusal.InvalidField("step", $"step must be a whole multiple of the flush interval ({o.FlushInterval.TotalSeconds:0} s).");
        }
        if (!TryGroupBy(q.GroupBy, out var segment))
        {
            return Refusal.InvalidField("groupBy", "groupBy must be 'name' or a segment number (1 = the first dot-separated part of the name).");
        }

        var series = await FindSeriesAsync(q.Name, q.Kind, ct);
        if (series.Count == 0 && !q.Name.Contains('*', StringComparison.Ordinal))
        {
            return Refusal.NotFound($"No metric named '{q.Name}'{(q.Kind is { } k ? $" of type {MetricKinds.Name(k)}" : "")} has been received.", "No such metric");
        }
        if (series.Count > MaxSeries)
        {
            return Refusal.InvalidField("name", $"'{q.Name}' matches more than {MaxSeries} series; narrow the pattern.");
        }
        var kinds = series.Select(s => s.Kind).Distinct().ToList();
        if (kinds.Count > 1)
        {
            return Refusal.InvalidField("type",
                $"'{q.Name}' is received as {string.Join(" and ", kinds.Select(MetricKinds.Name))}; add type= one of them.");
        }
        var kind = kinds.Count == 1 ? kinds[0] : q.Kind ?? MetricKind.Counter;
        if (!MetricFunction.Parse(q.Fn, kind).TryGet(out var fn, out var refusal))
        {
            return refusal;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var from = q.From.UtcDateTime;
        var to = q.To.UtcDateTime;
        var (resolution, actualStep) = MetricResolutions.Choose(from, step, now, o);
        var start = new DateTime(from.Ticks - from.Ticks % actualStep.Ticks, DateTimeKind.Utc);
        if ((to - start) / actualStep > MaxPoints)
        {
            return Refusal.InvalidField("step", $"{(to - start) / actualStep:N0} points is more than {MaxPoints:N0}; choose a larger step.");
        }

        var lines = series.Count == 0
            ? []
            : await ReadAsync(q.Name, series, kind, fn, resolution, start, to, actualStep, segment, ct);
        return new MetricSeriesResult(q.Name, MetricKinds.Name(kind), fn.Name,
            new DateTimeOffset(start), q.To.ToUniversalTime(), (int)actualStep.TotalSeconds, resolution.ToString().ToLowerInvariant(), lines);
    }

    /// <summary>Names starting with <paramref name="prefix"/>, alphabetically (at most <see cref="MaxNames"/>).</summary>
    public async Task<IReadOnlyList<MetricName>> NamesAsync(string? prefix, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT name, kind, last_seen_at FROM metric_series
            WHERE name LIKE $1 ORDER BY name, kind LIMIT $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = LikeEscape(prefix ?? "") + "%" });
        cmd.Parameters.Add(new NpgsqlParameter { Value = MaxNames });
        var list = new List<MetricName>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new MetricName(reader.GetString(0), MetricKinds.Name((MetricKind)reader.GetInt16(1)), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        return list;
    }

    private static bool TryGroupBy(string? text, out int segment)
    {
        segment = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (text.Trim().Equals("name", StringComparison.OrdinalIgnoreCase))
        {
            segment = -1;
            return true;
        }
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out segment) && segment is >= 1 and <= 32;
    }

    internal sealed record SeriesRef(int Id, string Name, MetricKind Kind);

    private async Task<List<SeriesRef>> FindSeriesAsync(string pattern, MetricKind? kind, CancellationToken ct)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        NpgsqlCommand cmd;
        if (star < 0)
        {
            cmd = dataSource.CreateCommand("SELECT id, name, kind FROM metric_series WHERE name = $1 AND ($2::smallint IS NULL OR kind = $2) ORDER BY name, kind");
            cmd.Parameters.Add(new NpgsqlParameter { Value = pattern });
        }
        else
        {
            // The part before the first * narrows by index; the regex decides.
            cmd = dataSource.CreateCommand("""
                SELECT id, name, kind FROM metric_series
                WHERE name LIKE $1 AND name ~ $3 AND ($2::smallint IS NULL OR kind = $2) ORDER BY name, kind LIMIT $4
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = LikeEscape(pattern[..star]) + "%" });
        }
        cmd.Parameters.Add(new NpgsqlParameter { Value = kind is { } k ? (short)k : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        if (star >= 0)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = PatternRegex(pattern) });
            cmd.Parameters.Add(new NpgsqlParameter { Value = MaxSeries + 1 });
        }
        await using (cmd)
        {
            var list = new List<SeriesRef>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                list.Add(new SeriesRef(reader.GetInt32(0), reader.GetString(1), (MetricKind)reader.GetInt16(2)));
            }
            return list;
        }
    }

    internal static string PatternRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        foreach (var c in pattern)
        {
            sb.Append(c switch
            {
                '*' => "[^.]*",
                '.' => "\\.",
                '-' => "\\-",
                _ => c.ToString(),
            });
        }
        return sb.Append('$').ToString();
    }

    private static string LikeEscape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
