namespace OpsPortal.Core.Wiki;

/// <summary>Settings under <c>OpsPortal:Wiki</c>.</summary>
public sealed class WikiOptions
{
    public const string Section = "OpsPortal:Wiki";

    /// <summary>A runbook not edited for this many months is marked stale.</summary>
    public int StaleAfterMonths { get; set; } = 6;

    /// <summary>Largest image a person may paste or upload, in bytes.</summary>
    public int MaxImageBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Largest page body, in characters.</summary>
    public int MaxBodyLength { get; set; } = 500_000;
}
