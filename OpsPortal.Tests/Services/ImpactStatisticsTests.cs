using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Verification;

namespace OpsPortal.Tests.Services;

/// <summary>
/// The verification statistics on hand-made series: quiet on noise (including 5xx bursts), a regression
/// of a stated size found, and no verdict without enough traffic. Series are seeded, so every run sees
/// the same numbers.
/// </summary>
public sealed class ImpactStatisticsTests
{
    private static readonly VerificationOptions Options = new();
    private static readonly DateTime T0 = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>Traffic of one side: requests a minute, 5xx ratio, median backend time; optionally a 5xx burst in one bucket.</summary>
    private sealed record Traffic(double RatePerMinute, double ErrorRatio, double MedianSeconds, bool Burst = false);

    private static ImpactGroup Group(Random random, Traffic before, Traffic after, int beforeBuckets = 10, int afterBuckets = 10, string? host = null)
    {
        var b = Buckets(random, before, T0, beforeBuckets);
        var a = Buckets(random, after, T0.AddMinutes(beforeBuckets + 1), afterBuckets);
        return new ImpactGroup(host, Side(b, T0, beforeBuckets), Side(a, T0.AddMinutes(beforeBuckets + 1), afterBuckets), b, a);
    }

    private static List<TrafficBucket> Buckets(Random random, Traffic t, DateTime start, int count)
    {
        var burstAt = t.Burst ? random.Next(count) : -1;
        var list = new List<TrafficBucket>();
        for (var i = 0; i < count; i++)
        {
            var requests = Poisson(random, t.RatePerMinute);
            var ratio = i == burstAt ? 0.25 : t.ErrorRatio;
            var errors = Enumerable.Range(0, requests).Count(_ => random.NextDouble() < ratio);
            // Log-normal backend times around the median, as real latencies are skewed.
            var times = Enumerable.Range(0, requests).Select(_ => t.MedianSeconds * Math.Exp(0.6 * Gaussian(random))).Order().ToArray();
            list.Add(new TrafficBucket(start.AddMinutes(i), requests, errors, errors / 2,
                requests == 0 ? null : Percentile(times, 0.95), requests == 0 ? null : Percentile(times, 0.99)));
        }
        return list;
    }

    private static ImpactSide Side(List<TrafficBucket> buckets, DateTime from, int minutes)
    {
        // Window percentiles as the mean of bucket percentiles: close enough for hand-made series.
        var timed = buckets.Where(b => b.P95 is not null).ToList();
        return new ImpactSide(from, from.AddMinutes(minutes), buckets.Sum(b => b.Requests), buckets.Sum(b => b.Errors), buckets.Sum(b => b.Mismatches),
            timed.Count == 0 ? null : timed.Average(b => b.P95), timed.Count == 0 ? null : timed.Average(b => b.P99));
    }

    private static double Percentile(double[] sorted, double q)
    {
        var rank = q * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    private static int Poisson(Random random, double mean)
    {
        // Normal approximation is plenty for means of tens to hundreds.
        return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * Gaussian(random)));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static readonly Traffic Normal = new(100, 0.01, 0.08);

    [Fact]
    public void RankTest_KnownValues_ExactAndWithTies()
    {
        Assert.Equal(0.05, RankTest.PGreater([1, 2, 3], [4, 5, 6]), 10);
        Assert.Equal(1.0, RankTest.PGreater([4, 5, 6], [1, 2, 3]), 10);
        Assert.Equal(1.0, RankTest.PGreater([0, 0, 0, 0], [0, 0, 0]), 10);
        // Five of ten values are ties at zero: P = 1/C(10,5) for the most extreme split the ties allow.
        Assert.Equal(1.0 / 252, RankTest.PGreater([0, 0, 0, 0, 0], [1, 2, 3, 4, 5]), 10);
    }

    [Fact]
    public void RankTest_NormalApproximation_AgreesWithExactNearTheLimit()
    {
        var random = new Random(3);
        var before = Enumerable.Range(0, 31).Select(_ => random.NextDouble()).ToArray();
        var after = Enumerable.Range(0, 31).Select(_ => random.NextDouble() + 0.15).ToArray();
        var exact = RankTest.PGreater(before[..30], after[..30]);
        var approximate = RankTest.PGreater(before, after);

        Assert.InRange(approximate, exact / 3, exact * 3);
    }

    [Fact]
    public void Judge_SameTrafficBeforeAndAfter_NoRegressionIn500Deploys_EvenLookingEveryBucket()
    {
        var falseAlarms = 0;
        var why = "";
        for (var seed = 0; seed < 500; seed++)
        {
            var random = new Random(seed);
            var noisy = Normal with { Burst = seed % 2 == 0 };
            var groups = new[] { Group(random, Normal, noisy), Group(random, Normal, noisy, host: "web-1") };
            // Every interim look (5 … 10 buckets after the switch) could call a regression; none may.
            var looks = Enumerable.Range(Options.MinBuckets, 10 - Options.MinBuckets + 1)
                .Select(n => ImpactStatistics.Judge([.. groups.Select(g => Truncate(g, n))], n == 10, Options));
            if (looks.FirstOrDefault(j => j.Verdict == ImpactVerdict.Regressed) is { } hit)
            {
                falseAlarms++;
                why += seed + ": " + hit.Reason + "\n";
            }
        }

        // Alpha is 1 % per judgement; with six looks each, a handful of 500 would still be honest. Measured: see ADR-026.
        Assert.True(falseAlarms == 0, why);
    }

    [Fact]
    public void Judge_5xxFrom1To6PercentAt100PerMinute_RegressedIn95PercentOfDeploys()
    {
        var found = Enumerable.Range(0, 200).Count(seed =>
        {
            var random = new Random(seed);
            return ImpactStatistics.Judge([Group(random, Normal, Normal with { ErrorRatio = 0.06 })], true, Options).Verdict == ImpactVerdict.Regressed;
        });

        Assert.InRange(found, 190, 200);
    }

    [Fact]
    public void Judge_P95From150To300Ms_Regressed_NamingTheMetric()
    {
        var random = new Random(11);

        var judgement = ImpactStatistics.Judge([Group(random, Normal, Normal with { MedianSeconds = 0.16 })], true, Options);

        Assert.Equal(ImpactVerdict.Regressed, judgement.Verdict);
        Assert.Contains(judgement.Findings, f => f.Metric == ImpactMetric.P95 && f.Regressed);
        Assert.StartsWith("Regressed: p95 backend time", judgement.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_StrongRegression_FoundEarly_SixBucketsAfterTheSwitch()
    {
        var random = new Random(5);

        var judgement = ImpactStatistics.Judge([Group(random, Normal, Normal with { ErrorRatio = 0.15 }, afterBuckets: 6)], false, Options);

        Assert.Equal(ImpactVerdict.Regressed, judgement.Verdict);
    }

    [Fact]
    public void Judge_OneHostOfThreeBreaks_RegressedOnThatHost()
    {
        var random = new Random(8);
        var third = Normal with { RatePerMinute = 33 };
        var hosts = new[]
        {
            Group(random, third, third, host: "a"), Group(random, third, third with { ErrorRatio = 0.12 }, host: "b"), Group(random, third, third, host: "c"),
        };
        var all = new ImpactGroup(null, Sum(hosts, g => g.Before), Sum(hosts, g => g.After),
            SumBuckets(hosts.Select(h => h.BeforeBuckets)), SumBuckets(hosts.Select(h => h.AfterBuckets)));

        var judgement = ImpactStatistics.Judge([all, .. hosts], true, Options);

        Assert.Equal(ImpactVerdict.Regressed, judgement.Verdict);
        Assert.All(judgement.Findings.Where(f => f.Regressed && f.Host is not null), f => Assert.Equal("b", f.Host));
    }

    [Fact]
    public void Judge_TrafficStops_RequestRateRegressed()
    {
        var random = new Random(2);

        var judgement = ImpactStatistics.Judge([Group(random, Normal, Normal with { RatePerMinute = 30 })], true, Options);

        Assert.Equal(ImpactVerdict.Regressed, judgement.Verdict);
        Assert.Contains(judgement.Findings, f => f.Metric == ImpactMetric.RequestRate && f.Regressed);
    }

    [Fact]
    public void Judge_TooLittleTraffic_NotEnoughTrafficAtTheEnd_WatchingBefore()
    {
        var random = new Random(1);
        var quiet = new Traffic(8, 0.5, 2);
        var group = Group(random, quiet, quiet);

        var interim = ImpactStatistics.Judge([group], false, Options);
        var final = ImpactStatistics.Judge([group], true, Options);

        Assert.Equal(ImpactVerdict.Watching, interim.Verdict);
        Assert.Equal(ImpactVerdict.NotEnoughTraffic, final.Verdict);
        Assert.StartsWith("Not enough traffic to judge: ", final.Reason, StringComparison.Ordinal);
        Assert.Empty(final.Findings);
    }

    private static ImpactGroup Truncate(ImpactGroup g, int afterBuckets)
    {
        var after = g.AfterBuckets.Take(afterBuckets).ToList();
        return g with { AfterBuckets = after, After = Side(after, g.After.From, afterBuckets) };
    }

    private static ImpactSide Sum(IEnumerable<ImpactGroup> groups, Func<ImpactGroup, ImpactSide> side)
    {
        var sides = groups.Select(side).ToList();
        return new ImpactSide(sides[0].From, sides[0].To, sides.Sum(s => s.Requests), sides.Sum(s => s.Errors), sides.Sum(s => s.Mismatches),
            sides.Average(s => s.P95), sides.Average(s => s.P99));
    }

    private static List<TrafficBucket> SumBuckets(IEnumerable<IReadOnlyList<TrafficBucket>> perHost) =>
        perHost.SelectMany(b => b).GroupBy(b => b.Start).OrderBy(g => g.Key)
            .Select(g => new TrafficBucket(g.Key, g.Sum(b => b.Requests), g.Sum(b => b.Errors), g.Sum(b => b.Mismatches), g.Average(b => b.P95), g.Average(b => b.P99)))
            .ToList();
}
