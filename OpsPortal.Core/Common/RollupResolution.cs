namespace OpsPortal.Core;

/// <summary>One resolution a series can be read at: its step and the oldest instant it still has.</summary>
public readonly record struct RollupLevel(TimeSpan Granularity, DateTime KeptSince);

/// <summary>
/// The resolution a series query reads (metrics, ADR-018; access-log trends, ADR-025): of the levels whose
/// retention reaches back to <c>from</c>, the coarsest whose granularity divides the step (fewest rows,
/// same answer); when none divides it — a fine step over a range older than the fine data — the finest
/// level that still reaches back (or the coarsest of all), with the step raised to a multiple of it.
/// </summary>
public static class RollupResolution
{
    /// <param name="coarseFirst">The levels, coarsest first.</param>
    /// <returns>The index of the chosen level and the step to use.</returns>
    public static (int Level, TimeSpan Step) Choose(DateTime from, TimeSpan step, IReadOnlyList<RollupLevel> coarseFirst)
    {
        for (var i = 0; i < coarseFirst.Count; i++)
        {
            var g = coarseFirst[i].Granularity;
            if (step >= g && step.Ticks % g.Ticks == 0 && from >= coarseFirst[i].KeptSince)
            {
                return (i, step);
            }
        }
        for (var i = coarseFirst.Count - 1; i >= 0; i--)
        {
            if (from >= coarseFirst[i].KeptSince || i == 0)
            {
                var g = coarseFirst[i].Granularity;
                return (i, TimeSpan.FromTicks((step.Ticks + g.Ticks - 1) / g.Ticks * g.Ticks));
            }
        }
        throw new ArgumentException("At least one level is needed.", nameof(coarseFirst));
    }

    /// <summary>A step for about <paramref name="points"/> points over the range, from a list a person reads easily.</summary>
    public static TimeSpan AutoStep(TimeSpan range, TimeSpan smallest, int points = 300)
    {
        TimeSpan[] steps =
        [
            smallest, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
            TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
            TimeSpan.FromDays(1), TimeSpan.FromDays(7),
        ];
        return steps.Where(s => s >= smallest && s.Ticks % smallest.Ticks == 0).FirstOrDefault(s => range / s <= points, steps[^1]);
    }

    /// <summary>The first instant of the step holding <paramref name="t"/> (steps counted from 1970-01-01, so days start at midnight UTC).</summary>
    public static DateTime Floor(DateTime t, TimeSpan step) => new(t.Ticks - t.Ticks % step.Ticks, t.Kind);

    /// <summary>The end of the step holding the instant just before <paramref name="t"/>: steps are whole.</summary>
    public static DateTime Ceiling(DateTime t, TimeSpan step) => new((t.Ticks + step.Ticks - 1) / step.Ticks * step.Ticks, t.Kind);
}
