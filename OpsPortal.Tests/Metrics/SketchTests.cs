using OpsPortal.Core.Metrics;

namespace OpsPortal.Tests.Metrics;

public sealed class SketchTests
{
    /// <summary>The value at rank q·(N − 1) of the sorted values, as the sketch defines its quantile.</summary>
    private static double Exact(double[] sorted, double q) => sorted[(int)Math.Floor(q * (sorted.Length - 1))];

    public static TheoryData<string> Distributions => ["uniform", "lognormal", "bimodal", "negative-and-zero"];

    private static double[] Values(string distribution, Random random, int n) => distribution switch
    {
        "uniform" => [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() * 1000)],
        "lognormal" => [.. Enumerable.Range(0, n).Select(_ => Math.Exp(random.NextDouble() * 4 + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * 1.5))],
        "bimodal" => [.. Enumerable.Range(0, n).Select(i => i % 10 == 0 ? 2000 + random.NextDouble() * 500 : 5 + random.NextDouble() * 3)],
        _ => [.. Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0 : (random.NextDouble() - 0.5) * 200)],
    };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Quantile_AnyDistribution_WithinRelativeAccuracyOfTheExactValue(string distribution)
    {
        var random = new Random(42);
        var values = Values(distribution, random, 20_000);
        var sketch = new Sketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }
        Array.Sort(values);

        foreach (var q in new[] { 0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1 })
        {
            var exact = Exact(values, q);
            var estimate = sketch.Quantile(q, values[0], values[^1])!.Value;
            Assert.True(Math.Abs(estimate - exact) <= Sketch.RelativeAccuracy * Math.Abs(exact) + Sketch.MinMagnitude,
                $"{distribution} q={q}: {estimate} vs exact {exact}");
        }
    }

    [Fact]
    public void Merge_TwoHalves_SameAsOneSketchOfAll()
    {
        var random = new Random(1);
        var all = new Sketch();
        var a = new Sketch();
        var b = new Sketch();
        for (var i = 0; i < 5000; i++)
        {
            var v = random.NextDouble() * 500;
            all.Add(v);
            (i % 2 == 0 ? a : b).Add(v);
        }
        var merged = new Sketch();
        merged.Merge(a);
        var (keys, counts) = b.ToArrays();
        merged.Merge(keys, counts);

        Assert.Equal(all.ToArrays().Keys, merged.ToArrays().Keys);
        Assert.Equal(all.ToArrays().Counts, merged.ToArrays().Counts);
        Assert.Equal(all.Quantile(0.95), merged.Quantile(0.95));
    }

    [Fact]
    public void Add_Weighted_CountsAsManySamples()
    {
        var weighted = new Sketch();
        weighted.Add(10, weight: 9);
        weighted.Add(1000);
        var plain = new Sketch();
        for (var i = 0; i < 9; i++)
        {
            plain.Add(10);
        }
        plain.Add(1000);

        Assert.Equal(10, weighted.Count);
        Assert.Equal(plain.Quantile(0.5), weighted.Quantile(0.5));
        Assert.Equal(plain.Quantile(0.99), weighted.Quantile(0.99));
    }

    [Fact]
    public void Quantile_ClampedToExactMinAndMax_AndNullWhenEmpty()
    {
        var sketch = new Sketch();
        Assert.Null(sketch.Quantile(0.5));
        sketch.Add(100);

        Assert.Equal(100, sketch.Quantile(0.5, 100, 100));
        Assert.InRange(sketch.Quantile(0.5)!.Value, 99, 101);
    }

    [Theory]
    [InlineData(1e-12)]
    [InlineData(0.001)]
    [InlineData(1)]
    [InlineData(320)]
    [InlineData(86_400_000)]
    [InlineData(-42.5)]
    public void KeyOf_ValueOf_RoundTripWithinAccuracy(double value)
    {
        var back = Sketch.ValueOf(Sketch.KeyOf(value));

        Assert.True(Math.Abs(back - value) <= Sketch.RelativeAccuracy * Math.Abs(value) + Sketch.MinMagnitude, $"{value} -> {back}");
    }

    [Fact]
    public void Keys_OrderedAsValues()
    {
        double[] values = [-1000, -1, -0.001, 0, 0.001, 1, 1000];

        var keys = values.Select(Sketch.KeyOf).ToArray();

        Assert.Equal(keys.Order(), keys);
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }
}
