using System.Text.Json.Serialization;

namespace OpsPortal.Core.Dashboards;

/// <summary>
/// A saved dashboard (table <c>dashboards</c>): a team dashboard (<see cref="Owner"/> null, Engineers edit it)
/// or a personal one (only its owner sees and edits it). <see cref="Revision"/> guards every save: a save
/// names the revision it started from and is refused when someone saved in between.
/// </summary>
public class Dashboard
{
    public long Id { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }

    /// <summary>The user a personal dashboard belongs to; null for a team dashboard.</summary>
    public string? Owner { get; set; }
    public List<PanelSpec> Panels { get; set; } = [];
    public int Revision { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsTeam => Owner is null;
}

/// <summary>Where a panel's numbers come from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum PanelSource
{
    /// <summary>The access logs: a log query and a measure over it.</summary>
    Logs,

    /// <summary>A StatsD/Graphite metric (name or pattern) and a function.</summary>
    Metric,
}

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum PanelDisplay
{
    Line,
    Area,
    Bar,
    Number,
    Table,
}

/// <summary>
/// One panel. Logs: <see cref="Query"/> is a log query (empty: all traffic), <see cref="Measure"/> one of
/// <see cref="PanelMeasures.Log"/>, <see cref="Split"/> <c>host</c> or <c>path</c>. Metric: <see cref="Query"/>
/// is a metric name or pattern, <see cref="Measure"/> a function (sum, count, avg, min, max, last, rate, pNN),
/// <see cref="Split"/> a group-by (<c>name</c> or a segment number). <see cref="Smooth"/> is a moving average
/// over that many steps.
/// </summary>
public sealed record PanelSpec
{
    public required string Title { get; init; }
    public PanelSource Source { get; init; }
    public string? Query { get; init; }
    public string Measure { get; init; } = "requests";
    public string? Split { get; init; }
    public int? Smooth { get; init; }
    public PanelDisplay Display { get; init; }
    public bool CompareLastWeek { get; init; }

    /// <summary>Grid columns out of 12 (3, 4, 6 or 12).</summary>
    public int Width { get; init; } = 6;
}

public static class PanelMeasures
{
    /// <summary>Log measures: counts, rates, ratios and backend-time percentiles per step.</summary>
    public static readonly IReadOnlyList<string> Log = ["requests", "rate", "errors", "error_ratio", "client_error_ratio", "p50", "p95", "p99"];

    public static readonly IReadOnlyList<string> MetricFunctions = ["sum", "count", "avg", "min", "max", "last", "rate", "p50", "p90", "p95", "p99"];

    /// <summary>The unit a measure's values are in, for axis labels: "ms", "%", "/s" or "".</summary>
    public static string Unit(PanelSpec panel) => panel.Source switch
    {
        PanelSource.Logs => panel.Measure switch
        {
            "error_ratio" or "client_error_ratio" => "%",
            "p50" or "p95" or "p99" => "ms",
            "rate" => "/s",
            _ => "",
        },
        _ => panel.Measure == "rate" ? "/s" : "",
    };
}
