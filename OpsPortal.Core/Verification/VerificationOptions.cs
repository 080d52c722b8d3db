namespace OpsPortal.Core.Verification;

/// <summary>The <c>OpsPortal:Verification</c> section: how deploys are judged by their traffic (docs/decisions/ADR-026).</summary>
internal sealed class VerificationOptions
{
    public const string Section = "OpsPortal:Verification";

    /// <summary>Judge deploys at all (on processes that run jobs).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How much traffic before the deploy and after the switch is compared.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Left out right after the switch: caches warm, connections drain, the old version finishes its requests.</summary>
    public TimeSpan Warmup { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The samples of the test: traffic is cut into buckets of this length.</summary>
    public TimeSpan Bucket { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>After the window ends, wait this long for late log lines before the final verdict.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the verifier looks at deploys under watch.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Deploys that finished longer ago than this (e.g. before the portal ran) are not judged any more.</summary>
    public TimeSpan LookBack { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Fewer requests than this on either side: not enough traffic to judge.</summary>
    public int MinRequests { get; set; } = 200;

    /// <summary>Fewer usable buckets than this on either side: not enough traffic to judge.</summary>
    public int MinBuckets { get; set; } = 5;

    /// <summary>A bucket with fewer requests says too little about ratios and percentiles and is not a sample.</summary>
    public int MinBucketRequests { get; set; } = 5;

    /// <summary>The chance of calling a healthy deploy regressed, shared by every test of one judgement (Bonferroni).</summary>
    public double Alpha { get; set; } = 0.005;

    /// <summary>At most this many hosts are judged one by one (the busiest).</summary>
    public int MaxHosts { get; set; } = 10;
}
