using System.Globalization;

namespace OpsPortal.Core.Metrics.Queries;

/// <summary>
/// What a series shows per step: <c>sum</c>, <c>count</c>, <c>avg</c>, <c>min</c>, <c>max</c>, <c>last</c>,
/// <c>rate</c> (per second) or a percentile <c>pNN</c> (p50, p95, p99.9 …). Which ones a kind allows, and the
/// default, are here too.
/// </summary>
public sealed record MetricFunction(string Name, double? Quantile)
{
    private static readonly Dictionary<MetricKind, string[]> Allowed = new()
    {
        [MetricKind.Counter] = ["sum", "count", "rate", "avg", "min", "max"],
        [MetricKind.Timer] = ["sum", "count", "rate", "avg", "min", "max", "pNN"],
        [MetricKind.Gauge] = ["last", "avg", "min", "max", "count"],
        [MetricKind.Set] = ["last", "avg", "min", "max", "sum"],
    };

    public static string Default(MetricKind kind) => kind switch
    {
        MetricKind.Counter => "sum",
        MetricKind.Timer => "avg",
        MetricKind.Gauge => "last",
        _ => "max",
    };

    public static IReadOnlyList<string> AllowedFor(MetricKind kind) => Allowed[kind];

    /// <summary>Precomputed in every rollup row; other percentiles merge the rows' sketches.</summary>
    public string? RollupColumn => Quantile switch
    {
        0.5 => "p50",
        0.9 => "p90",
        0.95 => "p95",
        0.99 => "p99",
        _ => null,
    };

    public static Result<MetricFunction> Parse(string? text, MetricKind kind)
    {
        var name = string.IsNullOrWhiteSpace(text) ? Default(kind) : text.Trim().ToLowerInvariant();
        var allowed = Allowed[kind];
        if (name.Length > 1 && name[0] == 'p' && allowed.Contains("pNN"))
        {
            if (double.TryParse(name.AsSpan(1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pct) && pct is > 0 and <= 100)
            {
                return new MetricFunction(name, pct / 100);
            }
            return Refusal.InvalidField("fn", $"'{text}' is not a percentile: use p50, p90, p95, p99 or pNN with NN in (0, 100].");
        }
        if (Array.IndexOf(allowed, name) < 0)
        {
            return Refusal.InvalidField("fn",
                $"fn={text} does not apply to a {MetricKinds.Name(kind)}; use one of {string.Join(", ", allowed)}.");
        }
        return new MetricFunction(name, null);
    }

    /// <summary>An empty step of a counter counted nothing (0); a timer's count too. Anything else had no value (null).</summary>
    internal bool ZeroWhenEmpty(MetricKind kind) =>
        kind == MetricKind.Counter && Name is "sum" or "count" or "rate" || kind == MetricKind.Timer && Name is "count" or "rate";
}
