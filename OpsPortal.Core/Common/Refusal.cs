using System.Collections.Immutable;

namespace OpsPortal.Core;

/// <summary>What kind of "no" a refusal is. The API maps each kind to one HTTP status (Web's <c>RefusalHttp</c>).</summary>
public enum RefusalKind
{
    /// <summary>The input breaks a rule (400).</summary>
    Invalid,

    /// <summary>The actor's role does not allow it (403).</summary>
    Forbidden,

    /// <summary>The thing named does not exist (404).</summary>
    NotFound,

    /// <summary>The current state does not allow it: a lock, a stale version, a name taken (409).</summary>
    Conflict,

    /// <summary>Well-formed, but a rule of the workflow forbids it (422).</summary>
    Unprocessable,

    /// <summary>The input is larger than the configured limit (413).</summary>
    TooLarge,

    /// <summary>A dependency cannot serve now; retry later (503).</summary>
    Unavailable,

    /// <summary>The credentials were not accepted (401). One answer for every reason, so it reveals nothing.</summary>
    Unauthenticated,

    /// <summary>Too many attempts; retry after the <c>retryAfter</c> extension's seconds (429).</summary>
    Throttled,
}

/// <summary>
/// The one way a Core operation says no: a kind, a short title, a sentence for the person, and
/// optional extensions (field errors, the current version, "overridable" …) that the API passes on
/// as problem-details members. Refusals are values returned in a <see cref="Result{T}"/>, never
/// exceptions and never parsed out of exception text.
/// </summary>
public sealed record Refusal(RefusalKind Kind, string Title, string Detail)
{
    /// <summary>Extra members of the problem details (JSON-serialisable values).</summary>
    public ImmutableDictionary<string, object?> Extensions { get; init; } = ImmutableDictionary<string, object?>.Empty;

    /// <summary>Field → message, for forms and the problem details' <c>errors</c> member.</summary>
    public IReadOnlyDictionary<string, string> Errors =>
        Extensions.TryGetValue("errors", out var errors) && errors is IReadOnlyDictionary<string, string> e
            ? e
            : ImmutableDictionary<string, string>.Empty;

    /// <summary>The sentence a page shows: the title, then the detail.</summary>
    public string Message => Detail.StartsWith(Title, StringComparison.Ordinal) ? Detail : $"{Title}. {Detail}";

    public Refusal With(string key, object? value) => this with { Extensions = Extensions.SetItem(key, value) };

    public static Refusal Invalid(string detail, string title = "Invalid input") => new(RefusalKind.Invalid, title, detail);

    /// <summary>Input refused field by field; the detail joins the messages.</summary>
    public static Refusal InvalidFields(IReadOnlyDictionary<string, string> errors, string title = "Invalid input") =>
        new Refusal(RefusalKind.Invalid, title, string.Join(" ", errors.Values))
            .With("errors", errors.ToImmutableDictionary(StringComparer.Ordinal));

    public static Refusal InvalidField(string field, string message, string title = "Invalid input") =>
        InvalidFields(new Dictionary<string, string> { [field] = message }, title);

    public static Refusal Forbidden(string detail, string title = "Not allowed") => new(RefusalKind.Forbidden, title, detail);

    public static Refusal NotFound(string detail, string title = "Not found") => new(RefusalKind.NotFound, title, detail);

    public static Refusal Conflict(string detail, string title = "Conflict") => new(RefusalKind.Conflict, title, detail);

    public static Refusal Unprocessable(string detail, string title = "Not allowed by the workflow") => new(RefusalKind.Unprocessable, title, detail);

    public static Refusal TooLarge(string detail, string title = "Too large") => new(RefusalKind.TooLarge, title, detail);

    internal static Refusal Unavailable(string detail, string title = "Try again shortly") => new(RefusalKind.Unavailable, title, detail);

    public static Refusal Unauthenticated(string detail, string title = "Sign-in failed") => new(RefusalKind.Unauthenticated, title, detail);

    /// <summary>Too many attempts; <see cref="RetryAfter"/> says when to try again.</summary>
    public static Refusal Throttled(string detail, TimeSpan retryAfter, string title = "Too many attempts") =>
        new Refusal(RefusalKind.Throttled, title, detail).With("retryAfter", (int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds)));

    /// <summary>Whole seconds to wait before retrying (<see cref="RefusalKind.Throttled"/>), or null.</summary>
    public int? RetryAfter => Extensions.TryGetValue("retryAfter", out var value) && value is int seconds ? seconds : null;
}
