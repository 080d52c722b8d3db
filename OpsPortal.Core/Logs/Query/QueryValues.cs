using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NpgsqlTypes;

namespace OpsPortal.Core.Logs.Query;

/// <summary>Turns the value of <c>field:value</c> into a typed node, by the field's kind.</summary>
internal static class QueryValues
{
    private static readonly string[] Operators = [">=", "<=", ">", "<"];

    public static QueryNode Parse(QueryField field, QueryToken token)
    {
        var value = token.Text;
        var at = token.ValuePosition;
        var label = $"{token.Field}:";
        if (field.Kind == FieldKind.Text)
        {
            return ParseText(field, value, token.Quoted);
        }
        if (field.Kind == FieldKind.Address)
        {
            return ParseAddress(field, value, at);
        }
        if (field.HasStatusClasses && value.Length == 3 && value[0] is >= '1' and <= '5'
            && value.EndsWith("xx", StringComparison.OrdinalIgnoreCase))
        {
            var low = (value[0] - '0') * 100;
            return new BetweenNode(field, low, low + 99);
        }
        foreach (var op in Operators)
        {
            if (value.StartsWith(op, StringComparison.Ordinal))
            {
                // Errors point at the whole value ("status:>=abc" at the '>'), as for a plain value.
                return new CompareNode(field, op, Scalar(field, value[op.Length..], at, label + op));
            }
        }
        var dots = value.IndexOf("..", StringComparison.Ordinal);
        if (dots >= 0)
        {
            var low = Scalar(field, value[..dots], at, label, classes: false);
            var high = Scalar(field, value[(dots + 2)..], at + dots + 2, label + value[..dots] + "..", classes: false);
            return new BetweenNode(field, low, high);
        }
        return new CompareNode(field, "=", Scalar(field, value, at, label, field.HasStatusClasses));
    }

    private static QueryNode ParseText(QueryField field, string value, bool quoted)
    {
        if (field.Column == "path" && value.Contains('?', StringComparison.Ordinal))
        {
            // path:/screen?id=17 was written when the path held the query string: it still means the full request.
            field = QueryFields.Request;
        }
        if (quoted || !value.Contains('*', StringComparison.Ordinal))
        {
            return new CompareNode(field, "=", value);
        }
        var pattern = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            pattern.Append(c switch
            {
                '*' => "%",
                '%' or '_' or '\\' => "\\" + c,
                _ => c.ToString(),
            });
        }
        return new LikeNode(field, pattern.ToString());
    }

    /// <summary>
    /// A bare word or phrase: a case-insensitive substring of the full request (path?query). Without a
    /// <c>?</c> in it, that is a substring of the path or of the query string, which the trigram indexes on
    /// both columns answer; with one, the joined text is searched (no index, but it finds what it did before).
    /// </summary>
    public static QueryNode Substring(string text)
    {
        var escaped = new StringBuilder(text.Length + 2).Append('%');
        foreach (var c in text)
        {
            escaped.Append(c is '%' or '_' or '\\' ? "\\" + c : c.ToString());
        }
        var pattern = escaped.Append('%').ToString();
        return text.Contains('?', StringComparison.Ordinal)
            ? new LikeNode(QueryFields.Request, pattern)
            : new OrNode([new LikeNode(QueryFields.Find("path")!, pattern), new LikeNode(QueryFields.Find("query")!, pattern)]);
    }

    private static QueryNode ParseAddress(QueryField field, string value, int at)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? value : value[..slash];
        // IPAddress also reads "10.0.0" and "10" (as 10.0.0.0 and 0.0.0.10): too surprising in a search box.
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal)
            || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            throw new QueryException($"expected an IP address or CIDR block (10.0.0.0/8) for '{field.Name}'", at);
        }
        if (slash < 0)
        {
            return new CompareNode(field, "=", address);
        }
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (!byte.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits > max)
        {
            throw new QueryException($"expected a prefix length from 0 to {max} after '/'", at + slash + 1);
        }
        return new WithinNode(field, new NpgsqlInet(address, bits));
    }

    private static object Scalar(QueryField field, string text, int at, string after, bool classes = false)
    {
        switch (field.Kind)
        {
            case FieldKind.Integer when int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i):
                return i;
            case FieldKind.BigInteger when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l):
                return l;
            case FieldKind.Number when double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d):
                return d;
            case FieldKind.Time when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t):
                // The column holds UTC without a zone: compare as a plain timestamp.
                return DateTime.SpecifyKind(t.UtcDateTime, DateTimeKind.Unspecified);
            case FieldKind.Time:
                throw new QueryException($"expected an ISO 8601 time after '{after}'", at);
            case FieldKind.Integer or FieldKind.BigInteger when text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '-'):
                throw new QueryException($"the number after '{after}' is out of range", at);
            default:
                var expected = classes ? "a number or a class like 5xx" : "a number";
                throw new QueryException($"expected {expected} after '{after}'", at);
        }
    }
}
