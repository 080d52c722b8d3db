using System.Text;
using NpgsqlTypes;

namespace OpsPortal.Core.Logs.Query;

/// <summary>
/// Compiles a query to a SQL boolean expression over the <c>access</c> table. The text is built from
/// fixed fragments and whitelisted column names (<see cref="QueryFields"/>) only; every value from the
/// query becomes a parameter.
/// </summary>
public static class QueryCompiler
{
    /// <summary>Parses and compiles; throws <see cref="QueryException"/> for an invalid query.</summary>
    internal static string Compile(string? query, SqlParameters parameters) => Compile(QueryParser.Parse(query), parameters);

    internal static string Compile(QueryNode node, SqlParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var sql = new StringBuilder();
        Write(node, parameters, sql);
        return sql.ToString();
    }

    private static void Write(QueryNode node, SqlParameters p, StringBuilder sql)
    {
        switch (node)
        {
            case AllNode:
                sql.Append("TRUE");
                break;
            case AndNode and:
                Join(and.Items, " AND ", p, sql);
                break;
            case OrNode or:
                Join(or.Items, " OR ", p, sql);
                break;
            case NotNode not:
                // IS NOT TRUE rather than NOT: -status:5xx must also match rows without a status,
                // so that a query and its negation together cover every row.
                sql.Append('(');
                Write(not.Inner, p, sql);
                sql.Append(") IS NOT TRUE");
                break;
            case CompareNode c:
                sql.Append(c.Field.Column).Append(' ').Append(c.Op).Append(' ').Append(p.Add(c.Value, TypeOf(c.Field)));
                break;
            case BetweenNode b:
                sql.Append(b.Field.Column).Append(" BETWEEN ").Append(p.Add(b.Low, TypeOf(b.Field)))
                    .Append(" AND ").Append(p.Add(b.High, TypeOf(b.Field)));
                break;
            case LikeNode l:
                sql.Append(l.Field.Column).Append(" ILIKE ").Append(p.Add(l.Pattern, NpgsqlDbType.Text));
                break;
            case WithinNode w:
                sql.Append(w.Field.Column).Append(" <<= ").Append(p.Add(w.Network, NpgsqlDbType.Inet));
                break;
            default:
                throw new NotSupportedException(node.GetType().Name);
        }
    }

    private static void Join(IReadOnlyList<QueryNode> items, string separator, SqlParameters p, StringBuilder sql)
    {
        sql.Append('(');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(separator);
            }
            Write(items[i], p, sql);
        }
        sql.Append(')');
    }

    // Explicit types keep the comparison on the column's type (and its index): a UTC DateTime would
    // otherwise be sent as timestamptz and converted through the session time zone.
    private static NpgsqlDbType TypeOf(QueryField field) => field.Kind switch
    {
        FieldKind.Text => NpgsqlDbType.Text,
        FieldKind.Integer => NpgsqlDbType.Integer,
        FieldKind.BigInteger => NpgsqlDbType.Bigint,
        FieldKind.Number => NpgsqlDbType.Double,
        FieldKind.Address => NpgsqlDbType.Inet,
        FieldKind.Time => NpgsqlDbType.Timestamp,
        _ => throw new NotSupportedException(field.Kind.ToString()),
    };
}
