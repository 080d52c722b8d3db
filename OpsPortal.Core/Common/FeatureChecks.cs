namespace OpsPortal.Core;

/// <summary>
/// A feature's own health, for Alerts to watch without knowing the feature (ADR-040): an alert rule of kind
/// FeatureCheck names a check; each round asks it and turns every result into an instance (OK or CRITICAL), with the
/// states, notifications and incidents of any other rule. Register implementations as singletons of this interface.
/// </summary>
public interface IFeatureCheck
{
    /// <summary>What a rule names (e.g. "backups"): lower-case letters, digits, '.', '-' or '_'.</summary>
    string Name { get; }

    /// <summary>One result per thing the feature watches (e.g. per backup target). Reads only.</summary>
    Task<IReadOnlyList<FeatureCheckResult>> CheckAsync(CancellationToken ct);
}

/// <summary>One watched thing's state: <paramref name="Key"/> names it (the alert instance's group), <paramref name="Message"/> says why.</summary>
public sealed record FeatureCheckResult(string Key, bool Ok, string Message);
