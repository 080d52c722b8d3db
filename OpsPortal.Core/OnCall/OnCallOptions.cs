namespace OpsPortal.Core.OnCall;

/// <summary>The <c>OpsPortal:OnCall</c> section (README lists every key).</summary>
public sealed class OnCallOptions
{
    public const string Section = "OpsPortal:OnCall";

    /// <summary>Escalate pages from this process (every node may: each escalation takes its page's row lock).</summary>
    public bool RunEscalator { get; set; } = true;

    /// <summary>How often the escalator looks for due pages when none is due sooner.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an acknowledge link works.</summary>
    public TimeSpan AckLinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Declared incidents of these severities (comma-separated; empty: none) page the service's policy.</summary>
    public string PageIncidentSeverities { get; set; } = "SEV1,SEV2";

    public bool PagesIncidentsOf(string severity) =>
        PageIncidentSeverities.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Contains(severity, StringComparer.OrdinalIgnoreCase);
}
