using System.Globalization;
using System.Web;

namespace OpsPortal.Core.Tickets;

public enum TicketSort { Updated, Created, Priority, Due, Key }

/// <summary>
/// A list filter. It round-trips through a query string (<c>status=open,in_progress&amp;assignee=@me&amp;sort=priority</c>)
/// so the list's URL, a saved filter and the API's GET parameters are one format.
/// <c>assignee</c> takes an email, <c>@me</c> or <c>none</c>; <c>status=active</c> means every not-resolved status.
/// </summary>
public sealed record TicketQuery
{
    public const int MaxPageSize = 200;
    public const string Me = "@me";
    public const string Nobody = "none";

    public IReadOnlyList<TicketStatus> Statuses { get; init; } = [];
    public IReadOnlyList<TicketPriority> Priorities { get; init; } = [];
    public IReadOnlyList<TicketType> Types { get; init; } = [];
    public string? Assignee { get; init; }
    public string? Label { get; init; }
    public string? Service { get; init; }
    public string? Text { get; init; }
    public TicketSort Sort { get; init; } = TicketSort.Updated;
    public bool Ascending { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;

    public static readonly IReadOnlyList<TicketStatus> Active = [TicketStatus.Open, TicketStatus.InProgress, TicketStatus.Blocked];

    /// <summary>Parses a query string; an Invalid refusal names the first bad parameter.</summary>
    public static Result<TicketQuery> Parse(string? queryString)
    {
        var values = HttpUtility.ParseQueryString(queryString ?? "");
        string? Get(string name) => values[name] is { Length: > 0 } v ? v.Trim() : null;
        var errors = new Dictionary<string, string>();
        var sort = TicketSort.Updated;
        if (Get("sort") is { } sortText && !(Enum.TryParse(sortText, true, out sort) && !char.IsAsciiDigit(sortText[0])))
        {
            errors["sort"] = $"Unknown sort '{sortText}'. Use updated, created, priority, due or key.";
        }
        var query = new TicketQuery
        {
            Statuses = List<TicketStatus>(Get("status"), "status", s => s == "active" ? Active : TicketRules.TryParseStatus(s, out var x) ? [x] : null, errors),
            Priorities = List<TicketPriority>(Get("priority"), "priority", s => TicketRules.TryParsePriority(s, out var x) ? [x] : null, errors),
            Types = List<TicketType>(Get("type"), "type", s => TicketRules.TryParseType(s, out var x) ? [x] : null, errors),
            Assignee = Get("assignee"),
            Label = Get("label")?.ToLowerInvariant(),
            Service = Get("service"),
            Text = Get("q"),
            Sort = sort,
            Ascending = Get("dir") is { } dir && dir.Equals("asc", StringComparison.OrdinalIgnoreCase),
            Page = Number(Get("page"), "page", 1, 1, 100_000, errors),
            PageSize = Number(Get("size"), "size", 50, 1, MaxPageSize, errors),
        };
        if (query.Text is { Length: > 200 })
        {
            errors["q"] = "The search text is longer than 200 characters.";
        }
        return errors.Count > 0 ? TicketRefusals.Invalid(errors) : query;
    }

    public string ToQueryString(bool withPaging = false)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }
        Add("status", Statuses.SequenceEqual(Active) ? "active" : string.Join(",", Statuses.Select(TicketWorkflow.Name)));
        Add("priority", string.Join(",", Priorities));
        Add("type", string.Join(",", Types.Select(t => t.ToString().ToLowerInvariant())));
        Add("assignee", Assignee);
        Add("label", Label);
        Add("service", Service);
        Add("q", Text);
        Add("sort", Sort == TicketSort.Updated ? null : Sort.ToString().ToLowerInvariant());
        Add("dir", Ascending ? "asc" : null);
        if (withPaging)
        {
            Add("page", Page == 1 ? null : Page.ToString(CultureInfo.InvariantCulture));
            Add("size", PageSize == 50 ? null : PageSize.ToString(CultureInfo.InvariantCulture));
        }
        return string.Join("&", parts);
    }

    private static List<T> List<T>(string? text, string name, Func<string, IEnumerable<T>?> parse, Dictionary<string, string> errors)
    {
        var list = new List<T>();
        foreach (var part in text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [])
        {
            if (parse(part) is { } values)
            {
                list.AddRange(values);
            }
            else
            {
                errors.TryAdd(name, $"Unknown {name} '{part}'.");
            }
        }
        return list.Distinct().ToList();
    }

    private static int Number(string? text, string name, int fallback, int min, int max, Dictionary<string, string> errors)
    {
        if (text is null)
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }
        errors[name] = $"'{name}' must be a whole number from {min} to {max}.";
        return fallback;
    }
}

/// <summary>One row of the list.</summary>
public sealed record TicketRow(string Key, string Title, TicketType Type, TicketStatus Status, TicketPriority Priority,
    string? Assignee, IReadOnlyList<string> Labels, string? Service, DateOnly? DueDate, DateTimeOffset UpdatedAt, int RowVersion);

public sealed record TicketListPage(IReadOnlyList<TicketRow> Rows, int Total, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}
