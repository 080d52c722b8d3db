using System.Text.RegularExpressions;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Tests.Logs.Query;

public sealed partial class QueryErrorTests
{
    [Theory]
    [InlineData("stauts:500", "unknown field 'stauts' at 0; did you mean status?", 0)]
    [InlineData("status:5xx hots:web1", "unknown field 'hots' at 11; did you mean host?", 11)]
    [InlineData("status:>=abc", "expected a number after 'status:>=' at 7", 7)]
    [InlineData("status:abc", "expected a number or a class like 5xx after 'status:' at 7", 7)]
    [InlineData("status:6xx", "expected a number or a class like 5xx after 'status:' at 7", 7)]
    [InlineData("size:5xx", "expected a number after 'size:' at 5", 5)]
    [InlineData("size:big", "expected a number after 'size:' at 5", 5)]
    [InlineData("size:10..x", "expected a number after 'size:10..' at 9", 9)]
    [InlineData("status:99999999999", "the number after 'status:' is out of range at 7", 7)]
    [InlineData("backendtime:>fast", "expected a number after 'backendtime:>' at 12", 12)]
    [InlineData("date:>=yesterday", "expected an ISO 8601 time after 'date:>=' at 5", 5)]
    [InlineData("ip:10.0.0", "expected an IP address or CIDR block (10.0.0.0/8) for 'ip' at 3", 3)]
    [InlineData("ip:10.0.0.0/33", "expected a prefix length from 0 to 32 after '/' at 12", 12)]
    [InlineData("backendip:*", "expected an IP address or CIDR block (10.0.0.0/8) for 'backendip' at 10", 10)]
    [InlineData("(status:500 OR status:502", "unbalanced parenthesis at 0", 0)]
    [InlineData("status:500)", "unbalanced parenthesis at 10", 10)]
    [InlineData("a (b (c) d", "unbalanced parenthesis at 2", 2)]
    [InlineData("()", "expected a term, found ')' at 1", 1)]
    [InlineData("status:5xx OR", "expected a term after 'OR' at 13", 13)]
    [InlineData("OR status:5xx", "expected a term, found 'OR' at 0", 0)]
    [InlineData("a AND OR b", "expected a term, found 'OR' at 6", 6)]
    [InlineData("path:\"/a b", "unterminated quote at 5", 5)]
    [InlineData("\"open", "unterminated quote at 0", 0)]
    [InlineData("status:", "expected a value after 'status:' at 7", 7)]
    [InlineData(":404", "expected a field name before ':' at 0", 0)]
    [InlineData("NOT", "expected a term after 'NOT' at 3", 3)]
    public void Parse_InvalidQuery_PointsAtTheProblem(string query, string message, int position)
    {
        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse(query));

        Assert.Equal(message, ex.Message);
        Assert.Equal(position, ex.Position);
    }

    [Fact]
    public void Parse_UnknownFieldFarFromAnyName_ListsTheFields()
    {
        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse("zzzzzzzz:1"));

        Assert.StartsWith("unknown field 'zzzzzzzz' at 0; fields are ip, host, user,", ex.Message, StringComparison.Ordinal);
    }

    // Hostile input: either a clear error, or values that travel only as parameters.
    [Theory]
    [InlineData("'; DROP TABLE access; --")]
    [InlineData("path:'; DROP TABLE access; --")]
    [InlineData("host:\"x' OR '1'='1\"")]
    [InlineData("ua:*'||pg_sleep(10)||'*")]
    [InlineData("\"$1\" path:$2 host:\\")]
    [InlineData("user:\u202Eevil\u200B ☃ 𝄞 ελληνικά")]
    [InlineData("path:/a\u0001b\u007F")]
    public void Compile_HostileText_StaysInParameters(string query)
    {
        var (sql, values) = QueryCompilerTests.Compile(query);

        var columns = QueryFields.All.Select(f => f.Column).ToHashSet();
        var rest = Keywords().Replace(sql, " ");
        Assert.All(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries), word => Assert.Contains(word, columns));
        Assert.NotEmpty(values);
        Assert.DoesNotContain(";", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_InjectionThroughParentheses_IsRejected()
    {
        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse("status:1) OR (1=1"));

        Assert.Equal("unbalanced parenthesis at 8", ex.Message);
    }

    [Fact]
    public void Parse_InjectionAsBareWords_IsRequestSubstrings()
    {
        var (sql, values) = QueryCompilerTests.Compile("'; DROP TABLE access; --");

        // The trailing "--" reads as "not containing '-'".
        Assert.Equal("((path ILIKE $1 OR query ILIKE $2) AND (path ILIKE $3 OR query ILIKE $4) AND (path ILIKE $5 OR query ILIKE $6)"
            + " AND (path ILIKE $7 OR query ILIKE $8) AND ((path ILIKE $9 OR query ILIKE $10)) IS NOT TRUE)", sql);
        Assert.Equal(["%';%", "%';%", "%DROP%", "%DROP%", "%TABLE%", "%TABLE%", "%access;%", "%access;%", "%-%", "%-%"], values);
    }

    [Fact]
    public void Parse_TenThousandCharacters_IsRefusedWithALimit()
    {
        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse(new string('a', 10_000)));

        Assert.Equal("the query is longer than 2000 characters at 2000", ex.Message);
    }

    [Fact]
    public void Parse_TwoHundredDeepParentheses_IsRefusedAtTheDepthLimit()
    {
        var query = new string('(', 200) + "a" + new string(')', 200);

        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse(query));

        Assert.Equal($"nested deeper than {QueryParser.MaxDepth} levels at {QueryParser.MaxDepth}", ex.Message);
    }

    [Fact]
    public void Parse_ManyNegations_IsRefusedAtTheDepthLimit()
    {
        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse(new string('-', 500) + "a"));

        Assert.Equal(QueryParser.MaxDepth, ex.Position);
    }

    [Fact]
    public void Parse_TooManyTerms_IsRefused()
    {
        var query = string.Join(' ', Enumerable.Range(0, 150).Select(i => "a" + i));

        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse(query));

        Assert.StartsWith($"too many terms (at most {QueryParser.MaxTerms}) at ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(query.IndexOf("a100", StringComparison.Ordinal), ex.Position);
    }

    [Fact]
    public void Parse_MaximumDepthAndTerms_StillCompiles()
    {
        var nested = new string('(', QueryParser.MaxDepth) + "status:5xx" + new string(')', QueryParser.MaxDepth);
        var wide = string.Join(" OR ", Enumerable.Range(0, QueryParser.MaxTerms).Select(i => "status:" + i));

        Assert.Equal("status BETWEEN $1 AND $2", QueryCompilerTests.Compile(nested).Sql);
        Assert.Equal(QueryParser.MaxTerms, QueryCompilerTests.Compile(wide).Values.Length);
    }

    [Theory]
    [InlineData("path:/a\0b", 7)]
    [InlineData("\0", 0)]
    public void Parse_NulCharacter_IsRefused(string query, int position)
    {
        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse(query));

        Assert.Equal($"the query contains a NUL character at {position}", ex.Message);
    }

    [Fact]
    public void Parse_LoneSurrogate_IsRefused()
    {
        var ex = Assert.Throws<QueryException>(() => QueryParser.Parse("path:/a\uD800"));

        Assert.Equal(7, ex.Position);
    }

    // What the compiler writes besides column names: operators, placeholders and keywords.
    [GeneratedRegex(@"\$\d+|\b(ILIKE|BETWEEN|AND|OR|IS|NOT|TRUE)\b|<<=|<=|>=|[=<>()]")]
    private static partial Regex Keywords();
}
