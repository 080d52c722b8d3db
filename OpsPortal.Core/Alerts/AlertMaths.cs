namespace OpsPortal.Core.Alerts;

/// <summary>A baseline: where a value is expected to lie, from the same window at the same time of day in past weeks.</summary>
internal sealed record Baseline(double Median, double Spread, int Samples)
{
    public double Low(double spreads, double minChange) => Median - Math.Max(spreads * Spread, minChange);

    public double High(double spreads, double minChange) => Median + Math.Max(spreads * Spread, minChange);
}

internal static class AlertMaths
{
    /// <summary>Fewer past weeks than this and an anomaly rule only learns (OK, saying so).</summary>
    public const int MinBaselineSamples = 2;

    /// <summary>Threshold state; a missing value (no lines, nothing to divide by) is OK.</summary>
    public static AlertState StateOf(double? value, double? warning, double? critical, bool below)
    {
        if (value is not { } v)
        {
            return AlertState.Ok;
        }
        bool Beyond(double? limit) => limit is { } l && (below ? v < l : v > l);
        return Beyond(critical) ? AlertState.Critical : Beyond(warning) ? AlertState.Warning : AlertState.Ok;
    }

    /// <summary>
    /// Median and spread of past values: the spread is the median absolute deviation scaled by 1.4826 (so it
    /// equals the standard deviation for normal data) and is robust to the one bad week an average is not.
    /// </summary>
    public static Baseline? BaselineOf(IReadOnlyList<double> past)
    {
        if (past.Count < MinBaselineSamples)
        {
            return null;
        }
        var median = Median(past);
        var mad = Median(past.Select(v => Math.Abs(v - median)).ToList());
        return new Baseline(median, 1.4826 * mad, past.Count);
    }

    /// <summary>
    /// CRITICAL beyond <paramref name="spreads"/> spreads, WARNING beyond two thirds of that, in either direction —
    /// and never for a change smaller than <paramref name="minChange"/>.
    /// </summary>
    public static AlertState AnomalyState(double value, Baseline b, double spreads, double minChange)
    {
        var deviation = Math.Abs(value - b.Median);
        if (deviation < minChange || deviation == 0)
        {
            return AlertState.Ok;
        }
        return deviation > spreads * b.Spread ? AlertState.Critical
            : deviation > spreads * 2 / 3 * b.Spread ? AlertState.Warning
            : AlertState.Ok;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>Which silences hold an alert: every matcher of a silence must match (service, rule, group, severity or a label).</summary>
internal static class SilenceMatching
{
    public static bool Matches(AlertSilence silence, AlertRule rule, string groupKey, AlertState state, DateTimeOffset at) =>
        silence.IsActive(at) && silence.Matchers.Count > 0 && silence.Matchers.All(m => Matches(m, rule, groupKey, state));

    public static bool Matches(SilenceMatcher m, AlertRule rule, string groupKey, AlertState state)
    {
        var actual = m.Name switch
        {
            "service" => rule.Service,
            "rule" => rule.Name,
            "group" => groupKey,
            "severity" => AlertStates.Name(state),
            _ => rule.Labels.GetValueOrDefault(m.Name),
        };
        return actual is not null && Glob(m.Value, actual);
    }

    /// <summary>Case-insensitive; <c>*</c> matches any run of characters.</summary>
    public static bool Glob(string pattern, string text)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return string.Equals(pattern, text, StringComparison.OrdinalIgnoreCase);
        }
        var at = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i == 0)
            {
                if (!text.StartsWith(part, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                at = part.Length;
                continue;
            }
            if (i == parts.Length - 1)
            {
                return text.Length - at >= part.Length && text.EndsWith(part, StringComparison.OrdinalIgnoreCase);
            }
            var found = text.IndexOf(part, at, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return false;
            }
            at = found + part.Length;
        }
        return true;
    }
}
