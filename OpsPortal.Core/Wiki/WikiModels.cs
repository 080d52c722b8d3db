namespace OpsPortal.Core.Wiki;

/// <summary>A page as readers and the API see it.</summary>
public sealed record WikiPageView(
    long Id, string Slug, string Title, string Body, int Revision, IReadOnlyList<string> Services,
    DateTimeOffset UpdatedAt, string UpdatedBy, bool IsDemo, bool IsStale, string? RedirectedFrom = null);

/// <summary>A page in lists (recently changed, a service's runbooks, search results' neighbours).</summary>
public sealed record WikiPageSummary(
    string Slug, string Title, int Revision, IReadOnlyList<string> Services, DateTimeOffset UpdatedAt, string UpdatedBy,
    bool IsDemo, bool IsStale);

/// <summary>A revision without its body, for history lists.</summary>
public sealed record WikiRevisionInfo(int Number, string Slug, string Title, string Author, DateTimeOffset CreatedAt, string? Message);

public sealed record WikiRevisionView(int Number, string Slug, string Title, string Body, IReadOnlyList<string> Services,
    string Author, DateTimeOffset CreatedAt, string? Message);

/// <summary>What a person sends to save a page. <paramref name="BaseRevision"/> is the revision they started from (null for a new page).</summary>
public sealed record WikiSaveRequest(string Title, string Body, int? BaseRevision, string? Message, IReadOnlyList<string>? Services = null)
{
    /// <summary>Marks a page created by demo mode (labelled in the UI); ignored on updates.</summary>
    public bool IsDemo { get; init; }
}

/// <summary>What a successful write did.</summary>
public enum WikiSaveStatus
{
    Created,
    Updated,
    /// <summary>Nothing changed: no revision was written.</summary>
    Unchanged,
}

/// <summary>A write that went through: what it did and the page as it is now.</summary>
public sealed record WikiSaved(WikiSaveStatus Status, WikiPageView Page);

/// <summary>
/// The ways the wiki says no, with the titles the API has always used. A stale save carries
/// <c>currentRevision</c> and <c>current</c> (the page as it is now, so the editor can show the other
/// change and merge); <see cref="TryGetCurrent"/> reads it back.
/// </summary>
public static class WikiRefusals
{
    public static Refusal Invalid(string detail) => Refusal.Invalid(detail, "Invalid page");

    public static Refusal NotFound(string detail) => Refusal.NotFound(detail, "No such page");

    internal static Refusal Conflict(string detail, WikiPageView? current)
    {
        var refusal = Refusal.Conflict(detail, "The page changed");
        return current is null ? refusal : refusal.With("currentRevision", current.Revision).With("current", current);
    }

    /// <summary>The page as it is now, when <paramref name="refusal"/> is a save that lost the race.</summary>
    public static bool TryGetCurrent(this Refusal refusal, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WikiPageView? current)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        current = refusal.Kind == RefusalKind.Conflict && refusal.Extensions.TryGetValue("current", out var page) ? page as WikiPageView : null;
        return current is not null;
    }
}

/// <summary>A page linking to another, for backlinks and the broken-link list.</summary>
public sealed record WikiLinkInfo(string FromSlug, string FromTitle, string TargetSlug);

public sealed record WikiTreeNode(string Slug, string Segment, string? Title, int Descendants);
