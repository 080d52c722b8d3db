namespace OpsPortal.Core.Backups;

/// <summary>Backups' health for alert rules of kind FeatureCheck named "backups": one result per target, not OK while it has problems.</summary>
internal sealed class BackupsFeatureCheck(BackupHealth health) : IFeatureCheck
{
    public const string CheckName = "backups";

    public string Name => CheckName;

    public async Task<IReadOnlyList<FeatureCheckResult>> CheckAsync(CancellationToken ct) =>
        [.. (await health.StatusAsync(ct)).Select(s => new FeatureCheckResult(s.Target.Name, s.IsHealthy,
            s.IsHealthy ? $"backups of {s.Target.Name} are healthy" : $"backups of {s.Target.Name} need attention: {string.Join("; ", s.Problems)}"))];
}
