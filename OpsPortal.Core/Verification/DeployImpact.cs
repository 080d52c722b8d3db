using System.Text.Json;

namespace OpsPortal.Core.Verification;

/// <summary>
/// The judgement of one deploy (or rollback) by its traffic: which requests (the selector, frozen when the
/// watch began), which windows, the verdict and the numbers. One row per deploy (table
/// <c>deploy_impacts</c>); everything the verifier needs is here or in the access table, so any node
/// can carry on after a restart.
/// </summary>
public class DeployImpact
{
    public long DeployId { get; set; }
    public required string Service { get; set; }
    public required string Environment { get; set; }

    /// <summary>The log query whose requests are compared.</summary>
    public required string Selector { get; set; }

    /// <summary>When the new version was in place (the deploy finished).</summary>
    public DateTimeOffset SwitchAt { get; set; }
    public DateTimeOffset BeforeFrom { get; set; }
    public DateTimeOffset BeforeTo { get; set; }
    public DateTimeOffset AfterFrom { get; set; }

    /// <summary>The end of the window; earlier when the next deploy of the target started before it.</summary>
    public DateTimeOffset AfterTo { get; set; }

    /// <summary>One of <see cref="ImpactVerdict"/> (never <see cref="ImpactVerdict.Pending"/>: a row starts watching).</summary>
    public required string Verdict { get; set; }
    public required string Reason { get; set; }

    /// <summary>The numbers of the last evaluation (<see cref="ImpactReport"/> as JSON).</summary>
    public JsonDocument? Report { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EvaluatedAt { get; set; }
    public DateTimeOffset? JudgedAt { get; set; }

    /// <summary>Null unless the target rolls back by itself on a regression: then one of <see cref="AutoRollbackState"/>.</summary>
    public string? AutoRollback { get; set; }
    public string? AutoRollbackDetail { get; set; }
    public long? RollbackDeployId { get; set; }
}

public static class AutoRollbackState
{
    /// <summary>Regressed and due to roll back; the verifier starts it (again after a crash).</summary>
    public const string Pending = "pending";
    public const string Started = "started";
    public const string Refused = "refused";
}
