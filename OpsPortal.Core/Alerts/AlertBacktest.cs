using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Alerts;

public sealed record BacktestPoint(DateTimeOffset At, double? Value);

public sealed record BacktestInterval(string Group, DateTimeOffset From, DateTimeOffset? To, AlertState Worst);

/// <summary>What a rule would have done over the stored data: when it fired, how many notifications, and the series it measured.</summary>
public sealed record BacktestResult(DateTimeOffset From, DateTimeOffset To, int StepSeconds, double? Warning, double? Critical,
    int Groups, IReadOnlyList<BacktestInterval> Intervals, int Notifications, string SeriesGroup, IReadOnlyList<BacktestPoint> Series, double ElapsedMs,
    string Source);

/// <summary>
/// Backtest before saving: replays a threshold or no-data rule over the last 1–7 days, a round at each step of
/// the rule's interval (at least a minute), through the same state machine and notification policy as the
/// evaluator. Windows are whole minutes summed from per-minute counts (one statement): the host × status minute
/// trends when they hold the rule, else the all-traffic rollup when it does, else the access rows; percentiles from
/// per-minute latency histograms of the access rows (within 5 %). <see cref="BacktestResult.Source"/> says which.
/// </summary>
public sealed class AlertBacktest(AlertMeasurer measurer, TimeProvider clock, IOptions<AlertsOptions> options)
{
    public const int MaxDays = 7;
    private const int MaxChartPoints = 1_500;

    public async Task<Result<BacktestResult>> RunAsync(AlertRuleRequest request, double days, CancellationToken ct)
    {
        if (days is < 0.01 or > MaxDays)
        {
            return Refusal.InvalidField("days", $"Backtest over up to {MaxDays} days.");
        }
        // The name and service are not needed to look back; fill them so an unsaved draft checks.
        var draft = request with { Name = string.IsNullOrWhiteSpace(request.Name) ? "draft" : request.Name, Service = string.IsNullOrWhiteSpace(request.Service) ? "draft" : request.Service };
        if (!AlertRuleRules.Check(draft, options.Value.MinIntervalSeconds).TryGet(out var r, out var refusal))
        {
            return refusal;
        }
        if (r.Kind is not (AlertRuleKind.Threshold or AlertRuleKind.NoData))
        {
            return Refusal.Unprocessable($"A {r.Kind} rule cannot be replayed over stored logs; backtests cover threshold and no-data rules.", "No backtest for this kind");
        }
        var started = Stopwatch.GetTimestamp();
        var spec = r.Spec!;
        var step = Math.Max(1, (int)Math.Ceiling((r.IntervalSeconds ?? 60) / 60.0));
        var w = Math.Max(1, (int)Math.Ceiling(spec.WindowSeconds / 60.0));
        var to = AlertMeasurer.FloorMinute(clock.GetUtcNow().UtcDateTime);
        var from = to.AddMinutes(-Math.Round(days * 1440));
        var lookBack = r.Kind == AlertRuleKind.NoData ? w + 60 : w;
        var first = from.AddMinutes(-lookBack);
        var minutes = (int)(to - first).TotalMinutes;

        // values[group][step] for each step time from + k*step.
        var steps = (int)((to - from).TotalMinutes / step) + 1;
        var values = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        var source = MeasureSources.Access;
        if (spec.Measure == AlertMeasure.Percentile && r.Kind == AlertRuleKind.Threshold
            && await measurer.TrendLatencyAsync(spec, first, to, ct) is { } sketches)
        {
            source = MeasureSources.Trends;
            values[""] = SketchSeries(sketches, first, from, steps, step, w, spec.Percentile);
        }
        else if (spec.Measure == AlertMeasure.Percentile && r.Kind == AlertRuleKind.Threshold)
        {
            var hist = await measurer.LatencyHistogramAsync(spec, first, to, ct);
            foreach (var g in hist.GroupBy(h => h.Key))
            {
                var perMinute = g.GroupBy(h => (int)(h.Minute - first).TotalMinutes).ToDictionary(m => m.Key, m => m.Select(h => (h.Bucket, h.Count)).ToList());
                var series = new double?[steps];
                for (var k = 0; k < steps; k++)
                {
                    var end = (int)(from.AddMinutes(k * step) - first).TotalMinutes;
                    var buckets = Enumerable.Range(end - w, w).Where(perMinute.ContainsKey).SelectMany(m => perMinute[m]);
                    series[k] = AlertIncidents.Percentile(buckets, spec.Percentile);
                }
                values[g.Key] = series;
            }
        }
        else
        {
            var countSpec = r.Kind == AlertRuleKind.NoData ? spec with { Measure = AlertMeasure.Count, GroupBy = null, Denominator = null } : spec;
            var counts = await measurer.TrendCountsAsync(countSpec, first, to, ct);
            source = counts is not null ? MeasureSources.Trends : AlertMeasurer.RollupColumnFor(countSpec) is not null ? MeasureSources.Rollups : MeasureSources.Access;
            counts ??= await measurer.CountsAsync(countSpec, first, to, perMinute: true, ct);
            var groups = counts.GroupBy(c => c.GroupKey).ToList();
            if (groups.Count == 0 && spec.GroupBy is null)
            {
                groups = [.. new[] { new MinuteCounts(first, "", 0, 0) }.GroupBy(c => c.GroupKey)];
            }
            foreach (var g in groups)
            {
                var matched = new long[minutes + 1];
                var total = new long[minutes + 1];
                foreach (var c in g)
                {
                    var i = (int)(c.Minute - first).TotalMinutes;
                    if (i >= 0 && i < minutes)
                    {
                        matched[i + 1] += c.Matched;
                        total[i + 1] += c.Total;
                    }
                }
                for (var i = 1; i <= minutes; i++)
                {
                    matched[i] += matched[i - 1];
                    total[i] += total[i - 1];
                }
                var series = new double?[steps];
                for (var k = 0; k < steps; k++)
                {
                    var end = (int)(from.AddMinutes(k * step) - first).TotalMinutes;
                    var m = matched[end] - matched[end - w];
                    if (r.Kind == AlertRuleKind.NoData)
                    {
                        // Encoded for the replay below: lines in the window, negative when none now but some in the hour before.
                        series[k] = m > 0 ? m : matched[end - w] - matched[Math.Max(0, end - w - 60)] > 0 ? -1 : 0;
                    }
                    else
                    {
                        series[k] = AlertMeasurer.ValueOf(spec.Measure, m, total[end] - total[end - w], w);
                    }
                }
                values[g.Key] = series;
            }
        }

        var intervals = new List<BacktestInterval>();
        var notifications = 0;
        var firingSteps = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (group, series) in values)
        {
            var instance = new AlertInstance { GroupKey = group, Since = new DateTimeOffset(from, TimeSpan.Zero) };
            BacktestInterval? open = null;
            for (var k = 0; k < steps; k++)
            {
                var at = new DateTimeOffset(from.AddMinutes(k * step), TimeSpan.Zero);
                var state = r.Kind == AlertRuleKind.NoData
                    ? (series[k] is < 0 || series[k] == 0 && instance.HardState != AlertState.Ok ? AlertState.Critical : AlertState.Ok)
                    : AlertMaths.StateOf(series[k], spec.Warning, spec.Critical, spec.Below);
                AlertStateMachine.Apply(instance, state, r.HardAfter ?? 1, at);
                if (AlertNotifyPolicy.Decide(instance, silenced: false, TimeSpan.FromMinutes(r.RepeatMinutes ?? 60), at) is not null)
                {
                    notifications++;
                    instance.NotifiedState = instance.HardState;
                    instance.NotifiedAt = at;
                }
                if (instance.HardState != AlertState.Ok)
                {
                    firingSteps[group] = firingSteps.GetValueOrDefault(group) + 1;
                    open = open is null ? new BacktestInterval(group, at, null, instance.HardState)
                        : open with { Worst = (AlertState)Math.Max((int)open.Worst, (int)instance.HardState) };
                }
                else if (open is not null)
                {
                    intervals.Add(open with { To = at });
                    open = null;
                }
            }
            if (open is not null)
            {
                intervals.Add(open);
            }
        }
        var shown = firingSteps.Count > 0 ? firingSteps.MaxBy(f => f.Value).Key : values.Keys.FirstOrDefault() ?? "";
        var points = values.TryGetValue(shown, out var s) ? Chart(s, from, step, r.Kind == AlertRuleKind.NoData) : [];
        return new BacktestResult(new DateTimeOffset(from, TimeSpan.Zero), new DateTimeOffset(to, TimeSpan.Zero), step * 60,
            spec.Warning, spec.Critical, values.Count, [.. intervals.OrderBy(i => i.From)], notifications, shown, points,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, source);
    }

    /// <summary>Per step, the percentile of the <paramref name="w"/> minutes before it, from the minutes' merged sketches.</summary>
    private static double?[] SketchSeries(List<AlertMeasurer.MinuteSketch> sketches, DateTime first, DateTime from, int steps, int step, int w, double percentile)
    {
        var perMinute = sketches.ToDictionary(m => (int)(m.Minute - first).TotalMinutes);
        var series = new double?[steps];
        for (var k = 0; k < steps; k++)
        {
            var end = (int)(from.AddMinutes(k * step) - first).TotalMinutes;
            var sketch = new Sketch();
            double? min = null, max = null;
            for (var m = end - w; m < end; m++)
            {
                if (perMinute.TryGetValue(m, out var minute))
                {
                    sketch.Merge(minute.Keys, minute.Counts);
                    min = minute.Min is { } lo ? Math.Min(lo, min ?? lo) : min;
                    max = minute.Max is { } hi ? Math.Max(hi, max ?? hi) : max;
                }
            }
            series[k] = sketch.Quantile(percentile / 100, min, max);
        }
        return series;
    }

    /// <summary>At most <see cref="MaxChartPoints"/> points: each keeps the largest value of the steps it stands for, so a spike stays visible.</summary>
    private static List<BacktestPoint> Chart(double?[] series, DateTime from, int step, bool noData)
    {
        var per = Math.Max(1, (int)Math.Ceiling(series.Length / (double)MaxChartPoints));
        var points = new List<BacktestPoint>();
        for (var i = 0; i < series.Length; i += per)
        {
            var chunk = series.Skip(i).Take(per).Where(v => v is not null).Select(v => noData ? Math.Max(0, v!.Value) : v!.Value).ToList();
            points.Add(new BacktestPoint(new DateTimeOffset(from.AddMinutes(i * step), TimeSpan.Zero), chunk.Count > 0 ? chunk.Max() : null));
        }
        return points;
    }
}
