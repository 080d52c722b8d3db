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

public enum WikiSaveStatus
{
    Created,
    Updated,
    /// <summary>Nothing changed: no revision was written.</summary>
    Unchanged,
    /// <summary>The page changed since <see cref="WikiSaveRequest.BaseRevision"/>: nothing was written.</summary>
    Conflict,
    Invalid,
    NotFound,
}

/// <summary>
/// The outcome of a write. On <see cref="WikiSaveStatus.Conflict"/>, <see cref="Page"/> is the page as it is
/// now, so the caller can show the other change and merge.
/// </summary>
public sealed record WikiSaveResult(WikiSaveStatus Status, WikiPageView? Page = null, string? Error = null)
{
    public bool Succeeded => Status is WikiSaveStatus.Created or WikiSaveStatus.Updated or WikiSaveStatus.Unchanged;
}

/// <summary>A page linking to another, for backlinks and the broken-link list.</summary>
public sealed record WikiLinkInfo(string FromSlug, string FromTitle, string TargetSlug);

public sealed record WikiTreeNode(string Slug, string Segment, string? Title, int Descendants);
