namespace OpsPortal.Core.Deploys;

/// <summary>One environment of a service in the drift view: its version and whether it differs from the environment before it.</summary>
/// <param name="Previous">The environment before this one in services.yaml (null for the first).</param>
/// <param name="PreviousVersion">What <paramref name="Previous"/> runs.</param>
public sealed record DriftCell(string Environment, string? Version, string? Previous, string? PreviousVersion)
{
    /// <summary>The previous environment runs another version than this one: promoting it would bring that version here.</summary>
    public bool Differs => Previous is not null && PreviousVersion is not null && PreviousVersion != Version;
}

public sealed record DriftRow(string Service, IReadOnlyList<DriftCell> Cells)
{
    public bool InSync => Cells.All(c => !c.Differs);
}

/// <summary>
/// Which environment runs which version, side by side, in the order of services.yaml (staging before production):
/// what a promotion would change, read from the board (the last successful deploy of each target).
/// </summary>
public static class DeployDrift
{
    public static IReadOnlyList<DriftRow> Of(DeployBoard board)
    {
        ArgumentNullException.ThrowIfNull(board);
        return board.Targets.GroupBy(t => t.Config.Service).Select(service =>
        {
            var targets = service.ToList();
            var cells = targets.Select((t, i) => new DriftCell(t.Config.Name, t.CurrentVersion,
                i == 0 ? null : targets[i - 1].Config.Name, i == 0 ? null : targets[i - 1].CurrentVersion)).ToList();
            return new DriftRow(service.Key, cells);
        }).ToList();
    }
}
