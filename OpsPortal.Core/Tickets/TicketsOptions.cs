namespace OpsPortal.Core.Tickets;

/// <summary>The <c>OpsPortal:Tickets</c> configuration section.</summary>
public sealed class TicketsOptions
{
    public const string Section = "OpsPortal:Tickets";

    /// <summary>Prefix of new keys (<c>OPS</c> → <c>OPS-123</c>): 2–10 capital letters or digits, starting with a letter.</summary>
    public string KeyPrefix { get; set; } = "OPS";

    /// <summary>
    /// Full-text search ranks at most this many matching tickets, the newest by id, so a query of
    /// very common words stays fast; a rarer query ranks all its matches (ADR-015).
    /// </summary>
    public int SearchCandidates { get; set; } = 2000;
}
