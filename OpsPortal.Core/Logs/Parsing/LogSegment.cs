namespace OpsPortal.Core.Logs.Parsing;

/// <summary>How the end of a variable's value is found in a line.</summary>
internal enum ValueScan : byte
{
    /// <summary>The last variable with nothing after it: the value runs to the end of the line.</summary>
    ToEnd,

    /// <summary>Between double quotes: up to the first quote not escaped by a backslash.</summary>
    Quoted,

    /// <summary><c>$time_local</c>: fixed width, because it has a space inside.</summary>
    TimeLocal,

    /// <summary>Up to the first occurrence of the literal that follows.</summary>
    Literal,

    /// <summary>Like <see cref="Literal"/>, but the <c>", "</c> and <c>" : "</c> between upstreams do not end it.</summary>
    UpstreamList,
}

/// <summary>One variable of a compiled format and the literal text that must follow it.</summary>
/// <param name="Quoted">Written between double quotes, so its value may hold spaces and <c>\"</c> escapes.</param>
internal sealed record LogSegment(LogVariable Variable, string Name, byte[] LiteralAfter, bool Quoted)
{
    public ValueScan Scan { get; } = LiteralAfter.Length == 0 ? ValueScan.ToEnd
        : Quoted ? ValueScan.Quoted
        : Variable == LogVariable.TimeLocal ? ValueScan.TimeLocal
        : Variable is LogVariable.UpstreamAddr or LogVariable.UpstreamResponseTime or LogVariable.UpstreamStatus
            && LiteralAfter[0] == ' ' ? ValueScan.UpstreamList
        : ValueScan.Literal;
}
