using Markdig.Helpers;
using Markdig.Parsers;
using Markdig.Syntax.Inlines;

namespace OpsPortal.Core.Markdown;

/// <summary>
/// Recognises <c>PREFIX-123</c> (2–10 upper-case letters or digits starting with a letter, a dash,
/// 1–9 digits) at a word boundary. Which prefixes are real tickets is the enricher's business, so
/// the renderer needs no configuration and a changed prefix needs no re-render of stored text.
/// </summary>
internal sealed class TicketReferenceParser : InlineParser
{
    public TicketReferenceParser()
    {
        OpeningCharacters = Enumerable.Range('A', 26).Select(c => (char)c).ToArray();
    }

    public override bool Match(InlineProcessor processor, ref StringSlice slice)
    {
        var previous = slice.PeekCharExtra(-1);
        if (previous.IsAlphaNumeric() || previous is '-' or '_' or '/' or '#')
        {
            return false;
        }

        var text = slice.Text;
        var start = slice.Start;
        var i = start;
        while (i <= slice.End && i - start < 10 && (char.IsAsciiLetterUpper(text[i]) || (i > start && char.IsAsciiDigit(text[i]))))
        {
            i++;
        }
        var prefixLength = i - start;
        if (prefixLength < 2 || i > slice.End || text[i] != '-')
        {
            return false;
        }
        var digitsStart = ++i;
        while (i <= slice.End && i - digitsStart < 9 && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        if (i == digitsStart || (i <= slice.End && (text[i].IsAlphaNumeric() || text[i] is '_' or '-')))
        {
            return false;
        }

        processor.Inline = new TicketReferenceInline
        {
            Key = text[start..i],
            Span = new Markdig.Syntax.SourceSpan(processor.GetSourcePosition(start, out var line, out var column), processor.GetSourcePosition(i - 1)),
            Line = line,
            Column = column,
        };
        slice.Start = i;
        return true;
    }
}
