using System.Security.Cryptography;

namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>
/// This process as a metrics node: a random id for its rows in <c>metric_points</c> and
/// <c>metric_nodes</c>. Random per start, so two processes never share one, even on one host; each
/// writes its own aggregates and the rollups combine them.
/// </summary>
public sealed class MetricNode(TimeProvider clock)
{
    public long Id { get; } = RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue);

    public string Host { get; } = Environment.MachineName;

    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();
}
