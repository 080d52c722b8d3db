using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Metrics.Queries;

namespace OpsPortal.Core.Dashboards;

/// <summary>
/// Reads what a panel shows, through the cache (ADR-031). Every reader of the same panel and range shares one
/// cache entry; when it is cold, the first reader runs the query and every other reader waits for that one
/// answer (HybridCache's stampede protection) instead of sending its own — a wall of TVs and a room of people
/// opening the same dashboard after an incident page cost one query per panel, not one each. Ranges are
/// aligned to the step (<see cref="PanelRange.Align"/>), so "the last hour" asked by many at slightly
/// different moments is still one entry. Entries reaching into the last step live <see cref="LiveTtl"/>
/// (traffic keeps arriving; the page refreshes at its own pace); older ranges <see cref="PastTtl"/>.
/// </summary>
public sealed class PanelData(HybridCache cache, LogTrends logTrends, MetricQueries metrics, TimeProvider clock)
{
    public const string Tag = "panels";
    public static readonly TimeSpan LiveTtl = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan PastTtl = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private long _queries;

    /// <summary>How many panel queries reached the database from this node (cache misses), for tests and diagnostics.</summary>
    public long Queries => Interlocked.Read(ref _queries);

    public async Task<PanelResult> LoadAsync(PanelSpec panel, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(panel);
        if (DashboardRules.PanelProblem(panel) is { } problem)
        {
            return new PanelResult(from, to, 0, [], problem);
        }
        var (start, end, step) = PanelRange.Align(from, to);
        var current = await CachedAsync(panel, start, end, step, ct);
        // All traffic is one line without a key; it takes the panel's title (not cached: panels share entries).
        PanelLine Named(PanelLine l) => l.Name.Length == 0 ? l with { Name = panel.Title } : l;
        var lines = current.Lines.Select(l => Smooth(Named(l), panel.Smooth)).ToList();
        if (panel.CompareLastWeek && current.Error is null)
        {
            var earlier = await CachedAsync(panel, start - Week, end - Week, step, ct);
            lines.AddRange(earlier.Lines.Select(l => Smooth(Named(l), panel.Smooth))
                .Select(l => new PanelLine($"{l.Name} (last week)", [.. l.Points.Select(p => p with { T = p.T + Week })], LastWeek: true)));
        }
        return current with { Lines = lines };
    }

    private ValueTask<PanelResult> CachedAsync(PanelSpec panel, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        var live = to > clock.GetUtcNow() - step;
        var ttl = live ? LiveTtl : PastTtl;
        var options = new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl };
        return cache.GetOrCreateAsync(Key(panel, from, to, step), (panel, from, to, step),
            async (state, token) => await QueryAsync(state.panel, state.from, state.to, state.step, token),
            options, [Tag], ct);
    }

    private async Task<PanelResult> QueryAsync(PanelSpec panel, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        Interlocked.Increment(ref _queries);
        return panel.Source == PanelSource.Logs ? await LogsAsync(panel, from, to, step, ct) : await MetricAsync(panel, from, to, step, ct);
    }

    private async Task<PanelResult> LogsAsync(PanelSpec panel, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        var result = await logTrends.SeriesAsync(new LogTrendQuery(panel.Query, from, to, step, panel.Split, Top: 8,
            Percentiles: panel.Measure is "p50" or "p95" or "p99"), ct);
        if (!result.TryGet(out var trend, out var refusal))
        {
            return new PanelResult(from, to, (int)step.TotalSeconds, [], refusal.Detail);
        }
        var lines = trend.Lines.Select(l => new PanelLine(l.Key,
            [.. l.Points.Select(p => new PanelPoint(p.T, LogValue(panel.Measure, p, trend.StepSeconds)))])).ToList();
        return new PanelResult(trend.From, trend.To, trend.StepSeconds, lines);
    }

    internal static double? LogValue(string measure, LogTrendPoint p, int stepSeconds) => measure switch
    {
        "requests" => p.Requests,
        "rate" => (double)p.Requests / stepSeconds,
        "errors" => p.Status5xx,
        "error_ratio" => p.Requests == 0 ? null : 100.0 * p.Status5xx / p.Requests,
        "client_error_ratio" => p.Requests == 0 ? null : 100.0 * p.Status4xx / p.Requests,
        "p50" => p.P50 * 1000,
        "p95" => p.P95 * 1000,
        "p99" => p.P99 * 1000,
        _ => null,
    };

    private async Task<PanelResult> MetricAsync(PanelSpec panel, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        var result = await metrics.SeriesAsync(new MetricSeriesQuery(panel.Query!, from, to, step, panel.Measure, panel.Split), ct);
        if (!result.TryGet(out var series, out var refusal))
        {
            return new PanelResult(from, to, (int)step.TotalSeconds, [], refusal.Detail);
        }
        var lines = series.Series.Select(l => new PanelLine(l.Name, [.. l.Points.Select(p => new PanelPoint(p.T, p.V))])).ToList();
        return new PanelResult(series.From, series.To, series.StepSeconds, lines);
    }

    /// <summary>A trailing moving average over <paramref name="window"/> steps; gaps are skipped, not counted as zero.</summary>
    internal static PanelLine Smooth(PanelLine line, int? window)
    {
        if (window is not { } w || w < 2)
        {
            return line;
        }
        var points = new List<PanelPoint>(line.Points.Count);
        for (var i = 0; i < line.Points.Count; i++)
        {
            var values = line.Points.Skip(Math.Max(0, i - w + 1)).Take(Math.Min(w, i + 1)).Where(p => p.V is not null).Select(p => p.V!.Value).ToList();
            points.Add(new PanelPoint(line.Points[i].T, line.Points[i].V is null || values.Count == 0 ? null : values.Average()));
        }
        return line with { Points = points };
    }

    private static string Key(PanelSpec panel, DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        // Only what changes the answer is in the key: two panels with other titles, widths or displays share it.
        var what = JsonSerializer.Serialize(new { panel.Source, panel.Query, panel.Measure, panel.Split });
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(what)), 0, 16);
        return $"panel:{hash}:{from.UtcTicks}:{to.UtcTicks}:{(long)step.TotalSeconds}";
    }
}
