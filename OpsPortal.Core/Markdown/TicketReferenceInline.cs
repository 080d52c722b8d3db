using Markdig.Syntax.Inlines;

namespace OpsPortal.Core.Markdown;

/// <summary>
/// A ticket key such as <c>OPS-123</c> written in markdown. The parser only recognises the shape;
/// an <see cref="IMarkdownEnricher"/> fills in what the ticket is, and unknown keys stay plain text.
/// </summary>
public sealed class TicketReferenceInline : LeafInline
{
    public required string Key { get; init; }

    /// <summary>Set by an enricher when the ticket exists.</summary>
    public TicketReference? Ticket { get; set; }
}

/// <summary>What a link to a ticket shows on hover.</summary>
public sealed record TicketReference(string Key, string Title, string Status);
