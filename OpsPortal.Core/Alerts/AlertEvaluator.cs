using System.Globalization;
using Npgsql;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Alerts;

/// <summary>One group's result of a round: its state, the measured value, the threshold it was judged by, and why.</summary>
internal sealed record RuleResult(string GroupKey, AlertState State, double? Value, double? Threshold, string Message)
{
    /// <summary>The expected band (out-of-the-ordinary rules).</summary>
    public (double Low, double High)? Band { get; init; }
}

/// <summary>Runs one rule once, by kind, at a given time. Reads only; <see cref="AlertRoundWriter"/> records the results.</summary>
public sealed partial class AlertEvaluator(AlertMeasurer measurer, HttpChecker http, IEnumerable<IFeatureCheck> featureChecks)
{
    private readonly IFeatureCheck[] _featureChecks = [.. featureChecks];

    /// <summary>A no-data rule fires when its query had lines in this long before the window and none in it.</summary>
    public static readonly TimeSpan NoDataLookBack = TimeSpan.FromHours(1);

    /// <summary>
    /// The rule's results at <paramref name="now"/>. A fault of the rule itself (a query the database refuses,
    /// a statement timeout) is UNKNOWN; a database that cannot be reached throws, so the loop retries later.
    /// </summary>
    internal async Task<List<RuleResult>> EvaluateAsync(AlertRule rule, IReadOnlyCollection<AlertInstance> previous, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            return rule.Kind switch
            {
                AlertRuleKind.HttpCheck => [await HttpAsync(rule.Spec, ct)],
                AlertRuleKind.FeatureCheck => await FeatureCheckAsync(rule.Spec, ct),
                AlertRuleKind.NoData => await NoDataAsync(rule.Spec, previous, now.UtcDateTime, ct),
                AlertRuleKind.Anomaly => await AnomalyAsync(rule.Spec, now.UtcDateTime, ct),
                _ => await ThresholdAsync(rule.Spec, now.UtcDateTime, ct),
            };
        }
        catch (Exception ex) when (IsRuleFault(ex, ct))
        {
            var groups = previous.Count > 0 ? previous.Select(i => i.GroupKey) : [""];
            return [.. groups.Select(g => new RuleResult(g, AlertState.Unknown, null, null, $"UNKNOWN - evaluation failed: {ex.Message}"))];
        }
    }

    private static bool IsRuleFault(Exception ex, CancellationToken ct) => ex switch
    {
        QueryException => true,
        PostgresException pg => pg.SqlState is not ("57P01" or "57P02" or "57P03" or "08000" or "08003" or "08006"),
        NpgsqlException { InnerException: TimeoutException } => !ct.IsCancellationRequested,
        _ => false,
    };

    private async Task<RuleResult> HttpAsync(AlertRuleSpec spec, CancellationToken ct)
    {
        var r = await http.CheckAsync(spec, ct);
        return new RuleResult("", r.State, r.LatencyMs, r.State == AlertState.Critical ? spec.CriticalMs : spec.WarningMs, r.Message);
    }

    /// <summary>
    /// A feature's results, one instance each (a thing it no longer reports, a target removed, recovers like any group
    /// that stops showing up). An unknown check name is UNKNOWN.
    /// </summary>
    private async Task<List<RuleResult>> FeatureCheckAsync(AlertRuleSpec spec, CancellationToken ct)
    {
        if (_featureChecks.FirstOrDefault(c => c.Name == spec.Check) is not { } check)
        {
            return [new RuleResult("", AlertState.Unknown, null, null, $"UNKNOWN - no feature check named {spec.Check} (known: {string.Join(", ", _featureChecks.Select(c => c.Name))})")];
        }
        return [.. (await check.CheckAsync(ct))
            .Select(r => new RuleResult(r.Key.Length > AlertRuleRules.MaxGroupKey ? r.Key[..AlertRuleRules.MaxGroupKey] : r.Key,
                r.Ok ? AlertState.Ok : AlertState.Critical, r.Ok ? 0 : 1, 1, $"{(r.Ok ? "OK" : "CRITICAL")} - {r.Message}"))
            .DistinctBy(r => r.GroupKey, StringComparer.Ordinal)];
    }

    private async Task<List<RuleResult>> ThresholdAsync(AlertRuleSpec spec, DateTime now, CancellationToken ct)
    {
        var window = TimeSpan.FromSeconds(spec.WindowSeconds);
        return ThresholdResults(spec, await measurer.MeasureAsync(spec, now - window, now, ct));
    }

    private static List<RuleResult> ThresholdResults(AlertRuleSpec spec, IEnumerable<Measurement> values)
    {
        var window = TimeSpan.FromSeconds(spec.WindowSeconds);
        return [.. values.Select(m =>
        {
            var state = AlertMaths.StateOf(m.Value, spec.Warning, spec.Critical, spec.Below);
            var threshold = state == AlertState.Critical ? spec.Critical : spec.Warning ?? spec.Critical;
            return new RuleResult(m.GroupKey, state, m.Value, threshold, Describe(state, spec, m.Value, threshold, window, m.Lines));
        })];
    }

    private async Task<List<RuleResult>> AnomalyAsync(AlertRuleSpec spec, DateTime now, CancellationToken ct)
    {
        var window = TimeSpan.FromSeconds(spec.WindowSeconds);
        var current = await measurer.MeasureAsync(spec, now - window, now, ct);
        var past = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var week = 1; week <= spec.Weeks; week++)
        {
            var end = now.AddDays(-7 * week);
            foreach (var m in await measurer.MeasureAsync(spec, end - window, end, ct))
            {
                if (m.Value is { } v)
                {
                    (past.TryGetValue(m.GroupKey, out var list) ? list : past[m.GroupKey] = []).Add(v);
                }
            }
        }
        return [.. current.Select(m =>
        {
            var baseline = AlertMaths.BaselineOf(past.GetValueOrDefault(m.GroupKey) ?? []);
            if (baseline is null || m.Value is not { } v)
            {
                return new RuleResult(m.GroupKey, AlertState.Ok, m.Value, null,
                    baseline is null ? $"OK - learning: {past.GetValueOrDefault(m.GroupKey)?.Count ?? 0} of {AlertMaths.MinBaselineSamples} past weeks have data" : "OK - no value now");
            }
            var state = AlertMaths.AnomalyState(v, baseline, spec.Spreads, spec.MinChange);
            var high = baseline.High(spec.Spreads, spec.MinChange);
            var low = baseline.Low(spec.Spreads, spec.MinChange);
            var message = $"{AlertStates.Name(state)} - {Number(v)} {Unit(spec)} now; usually {Number(baseline.Median)} (band {Number(low)}…{Number(high)}, {baseline.Samples} weeks)";
            return new RuleResult(m.GroupKey, state, v, v >= baseline.Median ? high : low, message) { Band = (low, high) };
        })];
    }

    private async Task<List<RuleResult>> NoDataAsync(AlertRuleSpec spec, IReadOnlyCollection<AlertInstance> previous, DateTime now, CancellationToken ct)
    {
        var window = TimeSpan.FromSeconds(spec.WindowSeconds);
        var countSpec = spec with { Measure = AlertMeasure.Count, GroupBy = null, Denominator = null };
        var lines = (await measurer.MeasureAsync(countSpec, now - window, now, ct))[0].Lines;
        if (lines > 0)
        {
            return [new RuleResult("", AlertState.Ok, lines, 0, $"OK - {lines} lines in the last {Span(window)}")];
        }
        var wasWatching = previous.Any(i => i.HardState != AlertState.Ok || i.Value > 0);
        if (!wasWatching)
        {
            var before = (await measurer.MeasureAsync(countSpec, now - window - NoDataLookBack, now - window, ct))[0].Lines;
            if (before == 0)
            {
                return [new RuleResult("", AlertState.Ok, 0, 0, $"OK - no lines in the last {Span(window + NoDataLookBack)}: waiting for the first line")];
            }
        }
        return [new RuleResult("", AlertState.Critical, 0, 0, $"CRITICAL - no lines in the last {Span(window)} (dead man's switch)")];
    }

    internal static string Describe(AlertState state, AlertRuleSpec spec, double? value, double? threshold, TimeSpan window, long lines)
    {
        var what = value is { } v ? $"{Number(v)} {Unit(spec)}" : "no value (no lines)";
        var limit = threshold is { } t && state != AlertState.Ok ? $" {(spec.Below ? "<" : ">")} {Number(t)}" : "";
        return $"{AlertStates.Name(state)} - {what}{limit} over {Span(window)} ({lines} lines)";
    }

    internal static string Unit(AlertRuleSpec spec) => spec.Measure switch
    {
        AlertMeasure.Rate => "lines/min",
        AlertMeasure.Ratio => "%",
        AlertMeasure.Percentile => $"s p{Number(spec.Percentile)} {AlertMeasurer.FieldColumn(spec.Field)}",
        _ => "lines",
    };

    public static string Number(double v) => v.ToString(Math.Abs(v) >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture);

    public static string Span(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalMinutes % 60 == 0 ? $"{t.TotalHours:0} h" : t.TotalSeconds % 60 == 0 ? $"{t.TotalMinutes:0} min" : $"{t.TotalSeconds:0} s";
}
