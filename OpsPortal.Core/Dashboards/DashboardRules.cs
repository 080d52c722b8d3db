using System.Text.RegularExpressions;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Dashboards;

/// <summary>What a dashboard and its panels may hold; field → problem, for the page and the API alike.</summary>
public static partial class DashboardRules
{
    public const int MaxTitle = 100;
    public const int MaxDescription = 500;
    public const int MaxPanels = 24;
    public const int MaxQuery = 2_000;
    public static readonly IReadOnlyList<int> Widths = [3, 4, 6, 12];

    internal static Dictionary<string, string> Validate(string? title, string? description, IReadOnlyList<PanelSpec>? panels)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(title))
        {
            errors["title"] = "a title is required";
        }
        else if (title.Trim().Length > MaxTitle)
        {
            errors["title"] = $"at most {MaxTitle} characters";
        }
        if (description?.Trim().Length > MaxDescription)
        {
            errors["description"] = $"at most {MaxDescription} characters";
        }
        panels ??= [];
        if (panels.Count > MaxPanels)
        {
            errors["panels"] = $"at most {MaxPanels} panels";
            return errors;
        }
        for (var i = 0; i < panels.Count; i++)
        {
            if (PanelProblem(panels[i]) is { } problem)
            {
                errors[$"panels[{i}]"] = problem;
            }
        }
        return errors;
    }

    /// <summary>Null when the panel can be drawn; otherwise what is wrong, in words a user can act on.</summary>
    public static string? PanelProblem(PanelSpec? p)
    {
        if (p is null)
        {
            return "a panel is required";
        }
        if (string.IsNullOrWhiteSpace(p.Title) || p.Title.Trim().Length > MaxTitle)
        {
            return $"a title of 1 to {MaxTitle} characters is required";
        }
        if (p.Query?.Length > MaxQuery)
        {
            return $"the query is longer than {MaxQuery} characters";
        }
        if (!Widths.Contains(p.Width))
        {
            return "width is 3, 4, 6 or 12 columns";
        }
        if (p.Smooth is { } smooth && (smooth < 2 || smooth > 60))
        {
            return "a moving average spans 2 to 60 steps";
        }
        if (!Enum.IsDefined(p.Display) || !Enum.IsDefined(p.Source))
        {
            return "unknown source or display";
        }
        return p.Source == PanelSource.Logs ? LogProblem(p) : MetricProblem(p);
    }

    private static string? LogProblem(PanelSpec p)
    {
        if (!PanelMeasures.Log.Contains(p.Measure))
        {
            return $"measure is one of {string.Join(", ", PanelMeasures.Log)}";
        }
        if (p.Split is not (null or "host" or "path"))
        {
            return "a log panel splits by host or path";
        }
        try
        {
            QueryParser.Parse(p.Query);
        }
        catch (QueryException ex)
        {
            return $"the log query is not valid: {ex.Message}";
        }
        return null;
    }

    private static string? MetricProblem(PanelSpec p)
    {
        if (string.IsNullOrWhiteSpace(p.Query) || !MetricName().IsMatch(p.Query))
        {
            return "a metric name or pattern is required (letters, digits, _ - . and * for one segment)";
        }
        if (!PanelMeasures.MetricFunctions.Contains(p.Measure) && !Percentile().IsMatch(p.Measure))
        {
            return "function is sum, count, avg, min, max, last, rate or a percentile pNN";
        }
        if (p.Split is not null && p.Split != "name" && !(int.TryParse(p.Split, out var segment) && segment is >= 1 and <= 20))
        {
            return "group by is name or a segment number (1–20)";
        }
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-.*]{1,250}\z")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^p(\d{1,2}(\.\d)?)\z")]
    private static partial Regex Percentile();
}
