namespace OpsPortal.Core.Verification;

/// <summary>
/// The Wilcoxon–Mann–Whitney rank-sum test, one-sided ("the second sample is larger"), with mid-ranks
/// for ties. Exact (the permutation distribution of the rank sum, counted by dynamic programming, so
/// ties are handled exactly) up to <see cref="ExactLimit"/> values in all; beyond, the normal
/// approximation with the tie correction. See docs/decisions/ADR-026.
/// </summary>
internal static class RankTest
{
    public const int ExactLimit = 60;

    /// <summary>P(rank sum of <paramref name="after"/> ≥ observed) when both samples come from one distribution.</summary>
    public static double PGreater(IReadOnlyList<double> before, IReadOnlyList<double> after)
    {
        var n1 = before.Count;
        var n2 = after.Count;
        if (n1 == 0 || n2 == 0)
        {
            return 1;
        }
        var ranks = MidRanks([.. before, .. after]);
        // Doubled ranks are whole numbers, so the rank sums can index an array.
        var doubled = ranks.Select(r => (int)Math.Round(r * 2)).ToArray();
        var observed = doubled.Skip(n1).Sum();
        return n1 + n2 <= ExactLimit ? Exact(doubled, n2, observed) : Normal(ranks, n1, n2, observed / 2.0);
    }

    private static double[] MidRanks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }
            var mid = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = mid;
            }
            i = j + 1;
        }
        return ranks;
    }

    /// <summary>Counts, among all ways to pick <paramref name="m"/> of the ranks, those whose sum is at least the observed one.</summary>
    private static double Exact(int[] doubledRanks, int m, int observed)
    {
        var max = doubledRanks.OrderDescending().Take(m).Sum();
        // ways[j][s]: subsets of size j (of the ranks seen so far) with sum s.
        var ways = new double[m + 1][];
        for (var j = 0; j <= m; j++)
        {
            ways[j] = new double[max + 1];
        }
        ways[0][0] = 1;
        foreach (var r in doubledRanks)
        {
            for (var j = m; j >= 1; j--)
            {
                var from = ways[j - 1];
                var to = ways[j];
                for (var s = max; s >= r; s--)
                {
                    to[s] += from[s - r];
                }
            }
        }
        var all = ways[m].Sum();
        var atLeast = 0.0;
        for (var s = observed; s <= max; s++)
        {
            atLeast += ways[m][s];
        }
        return Math.Min(1, atLeast / all);
    }

    private static double Normal(double[] ranks, int n1, int n2, double observed)
    {
        double n = n1 + n2;
        var mean = n2 * (n + 1) / 2;
        var ties = ranks.GroupBy(r => r).Sum(g => Math.Pow(g.Count(), 3) - g.Count());
        var variance = n1 * n2 / 12.0 * (n + 1 - ties / (n * (n - 1)));
        if (variance <= 0)
        {
            return 1;
        }
        // Continuity correction of half a rank.
        var z = (observed - mean - 0.5) / Math.Sqrt(variance);
        return UpperTail(z);
    }

    /// <summary>P(Z ≥ z) for a standard normal Z (Abramowitz–Stegun 7.1.26 for erfc, |error| &lt; 1.5e-7).</summary>
    internal static double UpperTail(double z)
    {
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + 0.3275911 * x);
        var erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.Exp(-x * x);
        return z >= 0 ? erfc / 2 : 1 - erfc / 2;
    }
}
