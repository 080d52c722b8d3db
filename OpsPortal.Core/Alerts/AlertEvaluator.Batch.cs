using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Alerts;

/// <summary>A claimed rule with its current instances, to be evaluated in a batch.</summary>
internal sealed record RuleToEvaluate(AlertRule Rule, IReadOnlyCollection<AlertInstance> Previous);

public sealed partial class AlertEvaluator
{
    /// <summary>
    /// Evaluates a batch of rules at one <paramref name="now"/>: threshold rules that share a window are measured
    /// together, one statement per window (<see cref="AlertMeasurer.MeasureWindowAsync"/>), or per window and group
    /// field for grouped rules (<see cref="AlertMeasurer.MeasureGroupedWindowAsync"/>); every other rule (no data,
    /// out of the ordinary, HTTP checks, a query that does not compile) alone, as <see cref="EvaluateAsync"/> does.
    /// At most <paramref name="parallelism"/> statements or checks at a time. A shared statement the database
    /// refuses is retried rule by rule, so one bad rule is UNKNOWN alone.
    /// </summary>
    internal async Task<Dictionary<long, List<RuleResult>>> EvaluateBatchAsync(IReadOnlyList<RuleToEvaluate> rules, DateTimeOffset now,
        int parallelism, CancellationToken ct)
    {
        var plain = rules.Where(r => AlertMeasurer.SharesWindow(r.Rule) && Compiles(r.Rule.Spec)).ToList();
        var grouped = rules.Where(r => AlertMeasurer.SharesGroupedWindow(r.Rule) && Compiles(r.Rule.Spec)).ToList();
        var work = plain
            .GroupBy(r => r.Rule.Spec.WindowSeconds)
            .SelectMany(g => g.Chunk(AlertMeasurer.MaxRulesPerStatement))
            .Concat(grouped.GroupBy(r => (r.Rule.Spec.WindowSeconds, r.Rule.Spec.GroupBy)).SelectMany(g => g.Chunk(AlertMeasurer.MaxGroupedRulesPerStatement)))
            .Select(chunk => (Shared: (RuleToEvaluate[]?)chunk, Alone: (RuleToEvaluate?)null))
            .Concat(rules.Except(plain).Except(grouped).Select(r => (Shared: (RuleToEvaluate[]?)null, Alone: (RuleToEvaluate?)r)))
            .ToList();
        var results = new Dictionary<long, List<RuleResult>>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (item, token) =>
            {
                var done = item.Shared is { } group
                    ? await WindowAsync(group, now, token)
                    : [(item.Alone!.Rule.Id, await EvaluateAsync(item.Alone.Rule, item.Alone.Previous, now, token))];
                lock (results)
                {
                    foreach (var (id, list) in done)
                    {
                        results[id] = list;
                    }
                }
            });
        return results;
    }

    /// <summary>Rules of one window (and one group field, or none) measured by one statement.</summary>
    private async Task<List<(long, List<RuleResult>)>> WindowAsync(RuleToEvaluate[] group, DateTimeOffset now, CancellationToken ct)
    {
        var to = now.UtcDateTime;
        var from = to - TimeSpan.FromSeconds(group[0].Rule.Spec.WindowSeconds);
        var specs = group.Select(r => r.Rule.Spec).ToList();
        List<List<Measurement>> values;
        try
        {
            values = specs[0].GroupBy is { } field
                ? await measurer.MeasureGroupedWindowAsync(specs, field, from, to, ct)
                : [.. (await measurer.MeasureWindowAsync(specs, from, to, ct)).Select(m => new List<Measurement> { m })];
        }
        catch (Exception ex) when (IsRuleFault(ex, ct))
        {
            var alone = new List<(long, List<RuleResult>)>(group.Length);
            foreach (var r in group)
            {
                alone.Add((r.Rule.Id, await EvaluateAsync(r.Rule, r.Previous, now, ct)));
            }
            return alone;
        }
        return [.. group.Select((r, i) => (r.Rule.Id, ThresholdResults(r.Rule.Spec, values[i])))];
    }

    private static bool Compiles(AlertRuleSpec spec)
    {
        try
        {
            var p = new SqlParameters();
            QueryCompiler.Compile(spec.Query, p);
            QueryCompiler.Compile(spec.Denominator, p);
            return true;
        }
        catch (QueryException)
        {
            return false;
        }
    }
}
