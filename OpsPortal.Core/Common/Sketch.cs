using System.Runtime.InteropServices;

namespace OpsPortal.Core;

/// <summary>
/// A mergeable percentile sketch: a log-bucketed histogram in the manner of DDSketch
/// (docs/decisions/ADR-018). A value v with |v| ≥ <see cref="MinMagnitude"/> falls into bucket
/// k = sign(v)·(⌈log_γ(|v| / MinMagnitude)⌉ + 1) with γ = (1 + α)/(1 − α), α = 1 %; smaller
/// magnitudes share bucket 0. Every quantile read back is within α of a value at that rank (relative
/// error, for values of magnitude ≥ 1e-9). Buckets are kept as two parallel arrays sorted by key,
/// the shape PostgreSQL stores (<c>int[]</c>, <c>float8[]</c>), so SQL and C# merge the same data.
/// Counts are weights (a sample sent at rate 0.1 weighs 10). The same mapping is the SQL function
/// <c>metric_sketch_key</c>; a test checks they agree.
/// </summary>
public sealed class Sketch
{
    public const double RelativeAccuracy = 0.01;
    public const double MinMagnitude = 1e-9;
    // Written as the SQL functions write it, so both sides compute bit-identical keys.
    public static readonly double Gamma = 1.01 / 0.99;
    private static readonly double LnGamma = Math.Log(Gamma);

    // Unsorted while adding (the hot path); sorted when read.
    private readonly Dictionary<int, double> _buckets = [];

    public double Count { get; private set; }

    public bool IsEmpty => Count <= 0;

    internal static int KeyOf(double value)
    {
        var magnitude = Math.Abs(value);
        if (magnitude < MinMagnitude)
        {
            return 0;
        }
        var k = (int)Math.Ceiling(Math.Log(magnitude / MinMagnitude) / LnGamma) + 1;
        return value < 0 ? -k : k;
    }

    /// <summary>The bucket's representative value: within α of every value the bucket holds.</summary>
    internal static double ValueOf(int key)
    {
        if (key == 0)
        {
            return 0;
        }
        var magnitude = MinMagnitude * 2 * Math.Pow(Gamma, Math.Abs(key) - 1) / (Gamma + 1);
        return key < 0 ? -magnitude : magnitude;
    }

    public void Add(double value, double weight = 1)
    {
        var key = KeyOf(value);
        CollectionsMarshal.GetValueRefOrAddDefault(_buckets, key, out _) += weight;
        Count += weight;
    }

    public void Merge(Sketch other)
    {
        foreach (var (key, count) in other._buckets)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_buckets, key, out _) += count;
        }
        Count += other.Count;
    }

    public void Merge(int[]? keys, double[]? counts)
    {
        if (keys is null || counts is null)
        {
            return;
        }
        if (keys.Length != counts.Length)
        {
            throw new ArgumentException("A sketch's keys and counts differ in length.", nameof(counts));
        }
        // One hash lookup per bucket (a panel merges ~150 buckets of every row it reads); the same sums in the same order.
        for (var i = 0; i < keys.Length; i++)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_buckets, keys[i], out _) += counts[i];
            Count += counts[i];
        }
    }

    /// <summary>
    /// The value at quantile <paramref name="q"/> (0 … 1): the bucket holding rank q·(N − 1), counted from
    /// the smallest value, clamped to [min, max] when those are known (they are exact). Null when empty.
    /// </summary>
    public double? Quantile(double q, double? min = null, double? max = null)
    {
        if (IsEmpty)
        {
            return null;
        }
        var rank = Math.Clamp(q, 0, 1) * Math.Max(Count - 1, 0);
        double seen = 0;
        var key = 0;
        foreach (var (k, count) in _buckets.OrderBy(b => b.Key))
        {
            key = k;
            seen += count;
            if (seen > rank)
            {
                break;
            }
        }
        var value = ValueOf(key);
        if (min is { } lo && value < lo)
        {
            value = lo;
        }
        if (max is { } hi && value > hi)
        {
            value = hi;
        }
        return value;
    }

    /// <summary>The buckets sorted by key, as stored in PostgreSQL.</summary>
    public (int[] Keys, double[] Counts) ToArrays()
    {
        var keys = _buckets.Keys.ToArray();
        Array.Sort(keys);
        var counts = new double[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            counts[i] = _buckets[keys[i]];
        }
        return (keys, counts);
    }
}
