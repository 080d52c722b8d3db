namespace OpsPortal.Core.Logs.Parsing;

internal sealed record LogParserOptions
{
    public const int DefaultMaxLineLength = 16 * 1024;

    /// <summary>Lines longer than this many bytes (after the newline is trimmed) are rejected, not parsed.</summary>
    public int MaxLineLength { get; init; } = DefaultMaxLineLength;

    /// <summary>
    /// Accept variables the access table has no column for (say <c>$http_x_forwarded_for</c>) and
    /// skip their values. Off by default, so a typo in a format fails loudly instead of losing a column.
    /// </summary>
    public bool IgnoreUnknownVariables { get; init; }
}
