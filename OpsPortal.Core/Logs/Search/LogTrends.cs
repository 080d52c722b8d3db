using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.Query;
using OpsPortal.Core.Logs.Rollups;

namespace OpsPortal.Core.Logs.Search;

/// <summary>
/// One step of log traffic: requests by status class and backend time percentiles (seconds; null without timed
/// rows). A struct: a year of hours is 9,469 of them per line, held in one array rather than as as many objects.
/// </summary>
public readonly record struct LogTrendPoint(
    DateTimeOffset T, long Requests, long Status2xx, long Status3xx, long Status4xx, long Status5xx, long StatusOther,
    double? P50, double? P95, double? P99)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Status5xx / Requests;
}

/// <summary>One line: all matching traffic (key ""), or one host or path group when split.</summary>
public sealed record LogTrendLine(string Key, IReadOnlyList<LogTrendPoint> Points);

/// <summary>
/// <see cref="Source"/> says what answered: <c>minute</c> or <c>hour</c> trends (any range back to their
/// retention), or <c>access</c> (a query the trends cannot answer, read from the access table within its
/// retention). <see cref="From"/> is the first step's start; steps are whole.
/// </summary>
public sealed record LogTrendResult(DateTimeOffset From, DateTimeOffset To, int StepSeconds, string Source, string? Split, IReadOnlyList<LogTrendLine> Lines);

/// <param name="Query">Empty (all traffic) or <c>host:NAME</c> are answered from the trends; any other query from the access table.</param>
/// <param name="Split"><c>host</c> or <c>path</c> (path group): a line per key, the <paramref name="Top"/> busiest over the range.</param>
/// <param name="Percentiles">
/// False when only counts are wanted (requests, rates, status ratios): the percentile sketches are then
/// neither read nor merged and P50/P95/P99 are null — a year of daily points split by host reads the
/// trend index alone instead of ~95,000 sketches.
/// </param>
public sealed record LogTrendQuery(string? Query, DateTimeOffset From, DateTimeOffset To, TimeSpan? Step = null, string? Split = null, int Top = 10,
    bool Percentiles = true);

/// <summary>
/// Requests, status classes and p50/p95/p99 backend time per step, for dashboards and Home (ADR-025): from
/// the minute or hour trends — the finest that still reaches back to <c>from</c> — with minutes not rolled
/// up yet read from the access table in the same statement, so the answer never waits for the rollup job.
/// </summary>
public sealed partial class LogTrends(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<LogsOptions> options)
{
    public const int MaxPoints = 20_000;
    public const int MaxTop = 50;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>The trend rows that answer <paramref name="query"/> — (dim, key) — or null when only the access table can.</summary>
    internal static (string Dim, string Key)? Selector(string? query)
    {
        QueryNode node;
        try
        {
            node = QueryParser.Parse(query);
        }
        catch (QueryException)
        {
            return null;
        }
        return node switch
        {
            AllNode => ("", ""),
            CompareNode { Op: "=", Field.Column: "hostname", Value: string host } => ("host", host),
            _ => null,
        };
    }

    public async Task<Result<LogTrendResult>> SeriesAsync(LogTrendQuery q, CancellationToken ct)
    {
        if (q.From >= q.To)
        {
            return Refusal.InvalidField("from", "'from' must be before 'to'.");
        }
        try
        {
            _ = QueryParser.Parse(q.Query);
        }
        catch (QueryException ex)
        {
            return Refusal.InvalidField("q", ex.Message, "Invalid query");
        }
        var split = q.Split?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "host" or "hostname" => "host",
            "path" or "pathgroup" => "path",
            _ => "?",
        };
        if (split == "?")
        {
            return Refusal.InvalidField("split", "split must be host or path (the path group).");
        }
        var step = q.Step ?? RollupResolution.AutoStep(q.To - q.From, Minute);
        if (step < Minute || step.Ticks % Minute.Ticks != 0)
        {
            return Refusal.InvalidField("step", "step must be a whole number of minutes.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var o = options.Value;
        var selector = Selector(q.Query);
        if (selector is null || split is not null && selector.Value.Dim != "")
        {
            if (split is not null)
            {
                return Refusal.InvalidField("split", "A split needs a query the trends answer: empty (all traffic).");
            }
            return await FromAccessAsync(q.Query, q.From.UtcDateTime, q.To.UtcDateTime, step, now, o, ct);
        }

        var today = now.Date;
        RollupLevel[] levels =
        [
            new(TimeSpan.FromHours(1), new DateTime(today.Year, today.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-o.TrendHourRetentionMonths)),
            new(Minute, today.AddDays(1 - o.TrendMinuteRetentionDays)),
        ];
        var (level, actual) = RollupResolution.Choose(q.From.UtcDateTime, step, levels);
        var start = RollupResolution.Floor(q.From.UtcDateTime, actual);
        var end = RollupResolution.Ceiling(q.To.UtcDateTime, actual);
        if ((end - start) / actual > MaxPoints)
        {
            return Refusal.InvalidField("step", $"{(end - start) / actual:N0} points is more than {MaxPoints:N0}; choose a larger step.");
        }
        var table = level == 0 ? LogTrendSql.Hours : LogTrendSql.Minutes;
        var dim = split ?? selector.Value.Dim;
        var key = split is null ? selector.Value.Key : null;
        var lines = await ReadTrendsAsync(table, dim, key, start, end, actual, Math.Clamp(q.Top, 1, MaxTop), q.Percentiles, ct);
        return new LogTrendResult(new DateTimeOffset(start), q.To.ToUniversalTime(), (int)actual.TotalSeconds,
            level == 0 ? "hour" : "minute", split, lines);
    }

    /// <summary>A filtered query: the same measures from the access table, which keeps only its retention.</summary>
    private async Task<Result<LogTrendResult>> FromAccessAsync(
        string? query, DateTime from, DateTime to, TimeSpan step, DateTime now, LogsOptions o, CancellationToken ct)
    {
        var oldest = now.Date.AddDays(1 - o.RetentionDays);
        if (from < oldest)
        {
            return Refusal.Unprocessable(
                $"Only empty queries and host:NAME are kept past the access logs' {o.RetentionDays} days; '{query}' can go back to {oldest:yyyy-MM-dd}.",
                "Older than the access logs");
        }
        var start = RollupResolution.Floor(from, step);
        var end = RollupResolution.Ceiling(to, step);
        if ((end - start) / step > MaxPoints)
        {
            return Refusal.InvalidField("step", $"{(end - start) / step:N0} points is more than {MaxPoints:N0}; choose a larger step.");
        }
        var access = new AccessQuery(dataSource, clock);
        var p = new SqlParameters();
        var rows = access.Rows(query, new DateTimeOffset(start), new DateTimeOffset(end), p);
        var sql = $"""
            SELECT date_bin({p.Add(step, NpgsqlDbType.Interval)}, date, TIMESTAMP '1970-01-01') AS b, count(*),
                   count(*) FILTER (WHERE status BETWEEN 200 AND 299), count(*) FILTER (WHERE status BETWEEN 300 AND 399),
                   count(*) FILTER (WHERE status BETWEEN 400 AND 499), count(*) FILTER (WHERE status BETWEEN 500 AND 599),
                   count(*) FILTER (WHERE status IS NULL OR status < 200 OR status > 599),
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY backendtime)
            FROM {rows}
            GROUP BY 1
            """;
        var found = await access.ReadAsync(sql, p, async reader =>
        {
            var points = new Dictionary<DateTime, LogTrendPoint>();
            while (await reader.ReadAsync(ct))
            {
                var t = DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc);
                var pct = reader.IsDBNull(7) ? null : reader.GetFieldValue<double?[]>(7);
                points[t] = new LogTrendPoint(new DateTimeOffset(t), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), pct?[0], pct?[1], pct?[2]);
            }
            return points;
        }, ct);
        var line = new List<LogTrendPoint>();
        for (var t = start; t < to; t += step)
        {
            line.Add(found.TryGetValue(t, out var point) ? point : Empty(t));
        }
        return new LogTrendResult(new DateTimeOffset(start), new DateTimeOffset(to, TimeSpan.Zero), (int)step.TotalSeconds, "access", null,
            [new LogTrendLine("", line)]);
    }

    private static LogTrendPoint Empty(DateTime t) => Empty(new DateTimeOffset(t));

    private static LogTrendPoint Empty(DateTimeOffset t) => new(t, 0, 0, 0, 0, 0, 0, null, null, null);
}
