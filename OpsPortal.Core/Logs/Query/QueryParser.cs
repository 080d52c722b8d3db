namespace OpsPortal.Core.Logs.Query;

/// <summary>
/// Recursive descent over the tokens:
/// <code>
/// query   := or? EOF
/// or      := and ( "OR" and )*
/// and     := unary ( "AND"? unary )*
/// unary   := ( "-" | "NOT" ) unary | primary
/// primary := "(" or ")" | field ":" value | word | "phrase"
/// </code>
/// </summary>
internal sealed class QueryParser
{
    public const int MaxTerms = 100;
    public const int MaxDepth = 20;

    private readonly List<QueryToken> tokens;
    private readonly int end;
    private int next;
    private int terms;
    private int depth;

    private QueryParser(string query)
    {
        tokens = QueryTokenizer.Tokenize(query);
        end = query.Length;
    }

    public static QueryNode Parse(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return new AllNode();
        }
        var parser = new QueryParser(query);
        var node = parser.ParseOr();
        if (parser.Peek() is { } extra)
        {
            throw extra.Kind == TokenKind.Close
                ? new QueryException("unbalanced parenthesis", extra.Position)
                : new QueryException($"unexpected '{extra.Text}'", extra.Position);
        }
        return node;
    }

    private QueryToken? Peek() => next < tokens.Count ? tokens[next] : null;

    private QueryNode ParseOr()
    {
        var items = new List<QueryNode> { ParseAnd() };
        while (Peek() is { Kind: TokenKind.Or })
        {
            next++;
            items.Add(ParseAnd());
        }
        return items.Count == 1 ? items[0] : new OrNode(items);
    }

    private QueryNode ParseAnd()
    {
        var items = new List<QueryNode> { ParseUnary() };
        while (Peek() is { Kind: not (TokenKind.Or or TokenKind.Close) } token)
        {
            if (token.Kind == TokenKind.And)
            {
                next++;
            }
            items.Add(ParseUnary());
        }
        return items.Count == 1 ? items[0] : new AndNode(items);
    }

    private QueryNode ParseUnary()
    {
        var token = Peek() ?? throw Expected(null);
        if (token.Kind != TokenKind.Not)
        {
            return ParsePrimary();
        }
        next++;
        Enter(token);
        var inner = ParseUnary();
        depth--;
        return new NotNode(inner);
    }

    private QueryNode ParsePrimary()
    {
        var token = Peek() ?? throw Expected(null);
        switch (token.Kind)
        {
            case TokenKind.Open:
                next++;
                Enter(token);
                var inner = ParseOr();
                if (Peek() is not { Kind: TokenKind.Close })
                {
                    throw new QueryException("unbalanced parenthesis", token.Position);
                }
                next++;
                depth--;
                return inner;
            case TokenKind.Term or TokenKind.Phrase:
                next++;
                if (++terms > MaxTerms)
                {
                    throw new QueryException($"too many terms (at most {MaxTerms})", token.Position);
                }
                return token.Field is null ? QueryValues.Substring(token.Text) : ParseField(token);
            default:
                throw Expected(token);
        }
    }

    private static QueryNode ParseField(QueryToken token)
    {
        var field = QueryFields.Find(token.Field!);
        if (field is null)
        {
            var suggestion = QueryFields.Suggest(token.Field!);
            var hint = suggestion is null ? "; fields are " + string.Join(", ", QueryFields.All.Select(f => f.Name)) : $"; did you mean {suggestion}?";
            throw new QueryException($"unknown field '{token.Field}'", token.Position, hint);
        }
        return QueryValues.Parse(field, token);
    }

    private void Enter(QueryToken token)
    {
        if (++depth > MaxDepth)
        {
            throw new QueryException($"nested deeper than {MaxDepth} levels", token.Position);
        }
    }

    private QueryException Expected(QueryToken? found)
    {
        var previous = next > 0 ? tokens[next - 1] : null;
        if (found is null)
        {
            return previous is null
                ? new QueryException("expected a term", end)
                : new QueryException($"expected a term after '{previous.Text}'", end);
        }
        return found.Kind == TokenKind.Close && previous?.Kind != TokenKind.Open
            ? new QueryException("unbalanced parenthesis", found.Position)
            : new QueryException($"expected a term, found '{found.Text}'", found.Position);
    }
}
