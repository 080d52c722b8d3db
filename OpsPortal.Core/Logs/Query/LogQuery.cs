namespace OpsPortal.Core.Logs.Query;

/// <summary>
/// The one door to the query language for code outside it: a query parses to a node or comes back as
/// an Invalid refusal (title "Invalid query") carrying <c>position</c> (0-based index of the offending
/// text) and <c>problem</c> (the message without it), so a page can underline the spot. The parser's
/// own <see cref="QueryException"/> never leaves this feature.
/// </summary>
public static class LogQuery
{
    public static Result<QueryNode> Parse(string? query)
    {
        try
        {
            return QueryParser.Parse(query);
        }
        catch (QueryException ex)
        {
            return Refusal.Invalid(ex.Message, "Invalid query").With("position", ex.Position).With("problem", ex.Problem);
        }
    }

    /// <summary>Where the query is wrong and what is wrong there, when <paramref name="refusal"/> refused a query.</summary>
    public static bool TryGetPosition(this Refusal refusal, out int position, out string problem)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (refusal.Extensions.TryGetValue("position", out var p) && p is int at && refusal.Extensions.TryGetValue("problem", out var text))
        {
            (position, problem) = (at, text as string ?? refusal.Detail);
            return true;
        }
        (position, problem) = (0, refusal.Detail);
        return false;
    }
}
