namespace OpsPortal.Core.Incidents;

public sealed class IncidentsOptions
{
    public const string Section = "OpsPortal:Incidents";

    /// <summary>How far before the impact start the review looks for deploys and changes (the page can change it).</summary>
    public TimeSpan TimelineMargin { get; set; } = TimeSpan.FromHours(2);
}
