using OpsPortal.Core.Logs.Search;

namespace OpsPortal.Core.Verification;

/// <summary>The numbers behind a verdict, kept with it: per group (every request, then each host) the totals and buckets, and the tests.</summary>
public sealed record ImpactReport(
    DateTime BeforeFrom, DateTime BeforeTo, DateTime AfterFrom, DateTime AfterTo, TimeSpan Bucket,
    IReadOnlyList<ImpactHostReport> Groups,
    IReadOnlyList<ImpactFinding> Findings)
{
    /// <summary>Every request of the selector.</summary>
    public ImpactHostReport? All => Groups.FirstOrDefault(g => g.Host is null);
}

/// <summary>One group's totals and buckets before and after; <see cref="Judged"/> is false when it had too little traffic to test on its own.</summary>
public sealed record ImpactHostReport(string? Host, ImpactSide Before, ImpactSide After, bool Judged,
    IReadOnlyList<TrafficBucket> BeforeBuckets, IReadOnlyList<TrafficBucket> AfterBuckets)
{
    internal ImpactGroup ToGroup() => new(Host, Before, After, BeforeBuckets, AfterBuckets);
}
