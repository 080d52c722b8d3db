using System.Globalization;
using OpsPortal.Core.Logs.Search;

namespace OpsPortal.Core.Verification;

/// <summary>
/// Judges a deploy from its traffic before and after the switch (docs/decisions/ADR-026): per group
/// (every request of the selector, then each busy host) and metric, a one-sided rank-sum test over the
/// buckets, and a practical minimum change between the buckets' medians — so a burst in one bucket
/// moves one rank and no median, and a tiny but significant shift on huge traffic is no regression
/// either. All tests of one judgement share <see cref="VerificationOptions.Alpha"/> (Bonferroni); a look
/// before the window is over gets less of it (O'Brien–Fleming-like: α·f² at fraction f of the window).
/// Pure: the same data always gives the same verdict, on any node, after any restart.
/// </summary>
public static class ImpactStatistics
{
    private sealed record Rule(string Metric, bool HigherIsWorse, Func<TrafficBucket, double, int, double?> Sample,
        Func<ImpactSide, double?> Value, Func<double, double, bool> Large, double Threshold);

    // The practical minimums: what a person would call a regression when they saw it on a graph.
    private static readonly Rule[] Rules =
    [
        new(ImpactMetric.ErrorRatio, true, (b, _, min) => b.Requests >= min ? (double)b.Errors / b.Requests : null,
            s => s.ErrorRatio, (before, after) => after - before >= 0.01 && after >= before * 1.5, 0.01),
        new(ImpactMetric.P95, true, (b, _, min) => b.Requests >= min ? b.P95 : null,
            s => s.P95, (before, after) => after - before >= 0.05 && after >= before * 1.25, 0.05),
        new(ImpactMetric.P99, true, (b, _, min) => b.Requests >= min ? b.P99 : null,
            s => s.P99, (before, after) => after - before >= 0.1 && after >= before * 1.25, 0.1),
        new(ImpactMetric.Mismatch, true, (b, _, min) => b.Requests >= min ? (double)b.Mismatches / b.Requests : null,
            s => s.MismatchRatio, (before, after) => after - before >= 0.01 && after >= before * 1.5, 0.01),
        // Every bucket counts for the rate, an empty one as zero: traffic that stops is the loudest regression.
        new(ImpactMetric.RequestRate, false, (b, minutes, _) => b.Requests / minutes,
            s => s.RatePerMinute, (before, after) => after <= before * 0.5, 0.5),
    ];

    /// <param name="groups">The first group is every request of the selector; the others are single hosts.</param>
    /// <param name="final">The window is over: a verdict is due even without a regression.</param>
    internal static ImpactJudgement Judge(IReadOnlyList<ImpactGroup> groups, bool final, VerificationOptions options)
    {
        var all = groups[0];
        var bucketMinutes = options.Bucket.TotalMinutes;
        if (VolumeProblem(all, options) is { } missing)
        {
            return final
                ? new ImpactJudgement(ImpactVerdict.NotEnoughTraffic, $"Not enough traffic to judge: {missing}.", [])
                : new ImpactJudgement(ImpactVerdict.Watching, $"Watching: {missing} so far.", []);
        }
        var judged = groups.Where(g => VolumeProblem(g, options) is null).ToList();
        var planned = new List<(ImpactGroup Group, Rule Rule, double[] Before, double[] After)>();
        foreach (var group in judged)
        {
            foreach (var rule in Rules)
            {
                var before = Samples(group.BeforeBuckets, rule, bucketMinutes, options.MinBucketRequests);
                var after = Samples(group.AfterBuckets, rule, bucketMinutes, options.MinBucketRequests);
                planned.Add((group, rule, before, after));
            }
        }
        var testable = planned.Count(p => p.Before.Length >= options.MinBuckets && p.After.Length >= options.MinBuckets);
        var fraction = final ? 1 : Math.Min(1, all.AfterBuckets.Count * options.Bucket.TotalMinutes / Math.Max(options.Window.TotalMinutes, 1e-9));
        var alpha = options.Alpha * fraction * fraction / Math.Max(1, testable);
        var findings = planned.Select(p => Test(p.Group, p.Rule, p.Before, p.After, alpha, options.MinBuckets)).ToList();
        var regressions = findings.Where(f => f.Regressed).OrderBy(f => f.PValue).ToList();
        if (regressions.Count > 0)
        {
            return new ImpactJudgement(ImpactVerdict.Regressed, "Regressed: " + string.Join("; ", regressions.Take(3).Select(Describe)) + ".", findings);
        }
        return final
            ? new ImpactJudgement(ImpactVerdict.Healthy, $"Healthy: no metric of {Plural(judged.Count, "group")} moved beyond noise ({all.Before.Requests} requests before, {all.After.Requests} after).", findings)
            : new ImpactJudgement(ImpactVerdict.Watching, $"Watching: nothing beyond noise so far ({all.After.Requests} requests after the switch).", findings);
    }

    /// <summary>Null when the group has enough traffic on both sides; otherwise what is missing.</summary>
    internal static string? VolumeProblem(ImpactGroup group, VerificationOptions options)
    {
        string? Side(string name, ImpactSide side, IReadOnlyList<TrafficBucket> buckets)
        {
            var usable = buckets.Count(b => b.Requests >= options.MinBucketRequests);
            if (side.Requests < options.MinRequests)
            {
                return $"{side.Requests} of {options.MinRequests} requests {name}";
            }
            return usable < options.MinBuckets ? $"{usable} of {options.MinBuckets} buckets with traffic {name}" : null;
        }
        return Side("before", group.Before, group.BeforeBuckets) ?? Side("after the switch", group.After, group.AfterBuckets);
    }

    private static double[] Samples(IReadOnlyList<TrafficBucket> buckets, Rule rule, double bucketMinutes, int minRequests) =>
        buckets.Select(b => rule.Sample(b, bucketMinutes, minRequests)).Where(v => v is not null).Select(v => v!.Value).ToArray();

    private static ImpactFinding Test(ImpactGroup group, Rule rule, double[] before, double[] after, double alpha, int minBuckets)
    {
        var b = rule.Value(group.Before);
        var a = rule.Value(group.After);
        if (before.Length < minBuckets || after.Length < minBuckets || b is null || a is null)
        {
            return new ImpactFinding(group.Host, rule.Metric, b, a, null, rule.Threshold, false, false);
        }
        var p = rule.HigherIsWorse ? RankTest.PGreater(before, after) : RankTest.PGreater([.. before.Select(v => -v)], [.. after.Select(v => -v)]);
        var large = rule.Large(Median(before), Median(after));
        return new ImpactFinding(group.Host, rule.Metric, b, a, p, rule.Threshold, large, large && p < alpha);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    internal static string Describe(ImpactFinding f) =>
        $"{ImpactMetric.Label(f.Metric)} {Format(f.Metric, f.Before)} → {Format(f.Metric, f.After)}{(f.Host is null ? "" : " on " + f.Host)} (p = {f.PValue?.ToString("0.######", CultureInfo.InvariantCulture) ?? "–"})";

    public static string Format(string metric, double? value) => value is not { } v
        ? "–"
        : metric switch
        {
            ImpactMetric.ErrorRatio or ImpactMetric.Mismatch => (v * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %",
            ImpactMetric.P95 or ImpactMetric.P99 => (v * 1000).ToString("0", CultureInfo.InvariantCulture) + " ms",
            _ => v.ToString("0.#", CultureInfo.InvariantCulture),
        };

    private static string Plural(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
}
