using System.Text.Json.Serialization;

namespace OpsPortal.Core.Alerts;

/// <summary>Nagios states, ordered by how bad they are (UNKNOWN: the evaluation itself failed).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertState>))]
public enum AlertState
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

[JsonConverter(typeof(JsonStringEnumConverter<AlertRuleKind>))]
public enum AlertRuleKind
{
    /// <summary>A measure of a log query over a window against WARNING/CRITICAL thresholds.</summary>
    Threshold,

    /// <summary>The same measure against its own history: the same time of day over the last N weeks.</summary>
    Anomaly,

    /// <summary>A query that had lines and stopped (heartbeat / dead man's switch).</summary>
    NoData,

    /// <summary>GET a URL (Nagios check_http): status, body text, latency, TLS certificate expiry.</summary>
    HttpCheck,

    /// <summary>Another feature's own health (an <see cref="IFeatureCheck"/>, e.g. backups): CRITICAL per thing that is not OK.</summary>
    FeatureCheck,
}

[JsonConverter(typeof(JsonStringEnumConverter<AlertMeasure>))]
public enum AlertMeasure
{
    /// <summary>Matching lines in the window.</summary>
    Count,

    /// <summary>Matching lines per minute.</summary>
    Rate,

    /// <summary>Matching lines as a percentage of the lines matching the denominator query (all lines when empty).</summary>
    Ratio,

    /// <summary>A percentile of backendtime or clienttime, in seconds.</summary>
    Percentile,
}

public static class AlertStates
{
    public static string Name(AlertState s) => s switch
    {
        AlertState.Ok => "OK",
        AlertState.Warning => "WARNING",
        AlertState.Critical => "CRITICAL",
        _ => "UNKNOWN",
    };

    internal static bool TryParse(string? text, out AlertState state)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "OK": state = AlertState.Ok; return true;
            case "WARNING": state = AlertState.Warning; return true;
            case "CRITICAL": state = AlertState.Critical; return true;
            case "UNKNOWN": state = AlertState.Unknown; return true;
            default: state = AlertState.Ok; return false;
        }
    }
}
