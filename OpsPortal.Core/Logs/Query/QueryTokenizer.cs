using System.Text;

namespace OpsPortal.Core.Logs.Query;

internal enum TokenKind
{
    Term,
    Phrase,
    Not,
    Or,
    And,
    Open,
    Close,
}

/// <summary>
/// One lexical unit. A <see cref="TokenKind.Term"/> is <c>field:value</c> when <see cref="Field"/> is set,
/// else a bare word; <see cref="ValuePosition"/> points at the value for error messages.
/// </summary>
internal sealed record QueryToken(TokenKind Kind, int Position, string Text, string? Field = null, int ValuePosition = 0, bool Quoted = false);

internal static class QueryTokenizer
{
    public const int MaxLength = 2_000;

    public static List<QueryToken> Tokenize(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Length > MaxLength)
        {
            throw new QueryException($"the query is longer than {MaxLength} characters", MaxLength);
        }
        CheckCharacters(query);

        var tokens = new List<QueryToken>();
        var i = 0;
        while (i < query.Length)
        {
            var c = query[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '(' || c == ')')
            {
                tokens.Add(new QueryToken(c == '(' ? TokenKind.Open : TokenKind.Close, i, c.ToString()));
                i++;
            }
            else if (c == '-' && i + 1 < query.Length && !char.IsWhiteSpace(query[i + 1]) && query[i + 1] != ')')
            {
                tokens.Add(new QueryToken(TokenKind.Not, i, "-"));
                i++;
            }
            else if (c == '"')
            {
                var start = i;
                var text = ReadQuoted(query, ref i);
                tokens.Add(new QueryToken(TokenKind.Phrase, start, text, ValuePosition: start + 1, Quoted: true));
            }
            else
            {
                tokens.Add(ReadWord(query, ref i));
            }
        }
        return tokens;
    }

    private static QueryToken ReadWord(string query, ref int i)
    {
        var start = i;
        while (i < query.Length && !char.IsWhiteSpace(query[i]) && query[i] is not ('(' or ')' or '"'))
        {
            i++;
        }
        var word = query[start..i];
        var colon = word.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return word switch
            {
                "OR" => new QueryToken(TokenKind.Or, start, word),
                "AND" => new QueryToken(TokenKind.And, start, word),
                "NOT" => new QueryToken(TokenKind.Not, start, word),
                _ => new QueryToken(TokenKind.Term, start, word, ValuePosition: start),
            };
        }
        if (colon == 0)
        {
            throw new QueryException("expected a field name before ':'", start);
        }
        var field = word[..colon];
        var valueStart = start + colon + 1;
        if (colon == word.Length - 1 && i < query.Length && query[i] == '"')
        {
            var value = ReadQuoted(query, ref i);
            return new QueryToken(TokenKind.Term, start, value, field, valueStart + 1, Quoted: true);
        }
        if (colon == word.Length - 1)
        {
            throw new QueryException($"expected a value after '{word}'", valueStart);
        }
        return new QueryToken(TokenKind.Term, start, word[(colon + 1)..], field, valueStart);
    }

    /// <summary>Reads <c>"…"</c> from the opening quote; <c>\"</c> and <c>\\</c> escape.</summary>
    private static string ReadQuoted(string query, ref int i)
    {
        var open = i++;
        var text = new StringBuilder();
        while (i < query.Length)
        {
            var c = query[i++];
            if (c == '"')
            {
                return text.ToString();
            }
            if (c == '\\' && i < query.Length && query[i] is '"' or '\\')
            {
                c = query[i++];
            }
            text.Append(c);
        }
        throw new QueryException("unterminated quote", open);
    }

    // PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8: either would
    // fail deep in the driver, so both are refused here with a position.
    private static void CheckCharacters(string query)
    {
        for (var i = 0; i < query.Length; i++)
        {
            var c = query[i];
            if (c == '\0')
            {
                throw new QueryException("the query contains a NUL character", i);
            }
            if (char.IsHighSurrogate(c) && i + 1 < query.Length && char.IsLowSurrogate(query[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new QueryException("the query contains an invalid character", i);
            }
        }
    }
}
