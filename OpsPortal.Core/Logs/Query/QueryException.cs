namespace OpsPortal.Core.Logs.Query;

/// <summary>An invalid log query; <see cref="Position"/> is the 0-based index of the offending text.</summary>
public sealed class QueryException : Exception
{
    public QueryException(string problem, int position, string? hint = null)
        : base($"{problem} at {position}{hint}")
    {
        Problem = problem + hint;
        Position = position;
    }

    public QueryException()
        : this("invalid query", 0)
    {
    }

    public QueryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    public QueryException(string message)
        : this(message, 0)
    {
    }

    /// <summary>The message without the position, for UIs that underline the position instead.</summary>
    public string Problem { get; } = "";

    public int Position { get; }
}
