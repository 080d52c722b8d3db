namespace OpsPortal.Core.Incidents;

/// <summary>
/// A new incident. Times left out default to now (detection) and to the detection (impact start);
/// times given record history late, and a given resolution declares an incident already resolved.
/// </summary>
public sealed record DeclareIncident
{
    public string? Title { get; init; }
    public string? Severity { get; init; }
    public IReadOnlyList<string>? Services { get; init; }
    public string? Summary { get; init; }
    public string? Commander { get; init; }
    public IReadOnlyList<string>? Participants { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? DetectedAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public DateTimeOffset? MitigatedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Declared from this ticket: link it instead of creating one.</summary>
    public string? Ticket { get; init; }

    /// <summary>Declared from a log search: its query and time range.</summary>
    public string? LogQuery { get; init; }
    public DateTimeOffset? LogFrom { get; init; }
    public DateTimeOffset? LogTo { get; init; }

    /// <summary>Page the service's escalation policy; null: when the severity pages (<c>OpsPortal:OnCall:PageIncidentSeverities</c>).</summary>
    public bool? Page { get; init; }
}

/// <summary>A change to an incident; every property left null stays as it is.</summary>
public sealed record IncidentChange
{
    public string? Title { get; init; }
    public string? Severity { get; init; }
    public IReadOnlyList<string>? Services { get; init; }
    public string? Status { get; init; }
    public string? Commander { get; init; }
    public IReadOnlyList<string>? Participants { get; init; }
    public string? Summary { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? DetectedAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public DateTimeOffset? MitigatedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
}
