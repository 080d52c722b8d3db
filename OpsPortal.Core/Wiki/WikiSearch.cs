using System.Net;
using System.Text;
using Npgsql;

namespace OpsPortal.Core.Wiki;

public sealed record WikiSearchHit(string Slug, string Title, DateTimeOffset UpdatedAt, double Rank, string SnippetHtml);

/// <summary>
/// Full-text search over titles (weight A) and bodies (weight B) with PostgreSQL's <c>tsvector</c>
/// (<see cref="WikiSql"/>), ranked by <c>ts_rank_cd</c>, with snippets from the body by
/// <c>ts_headline</c>. The query is what people type into web search engines
/// (<c>websearch_to_tsquery</c>: words, "phrases", -not, or).
/// </summary>
public sealed class WikiSearch(NpgsqlDataSource dataSource)
{
    public const int MaxQueryLength = 500;

    // Private-use characters mark the hits inside the snippet: the body is encoded as HTML first,
    // then only these become <mark>, so nothing in a page can inject markup through a snippet.
    private const char HitStart = '\uE000';
    private const char HitEnd = '\uE001';

    private const string Sql = """
        WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),
        hits AS (
            SELECT p.slug, p.title, p.body, p.updated_at, ts_rank_cd(p.search, q.q) AS rank
            FROM wiki_pages p, q
            WHERE p.search @@ q.q
            ORDER BY rank DESC, p.updated_at DESC
            LIMIT $2)
        SELECT h.slug, h.title, h.updated_at, h.rank,
               ts_headline('english', h.body, q.q, $3)
        FROM hits h, q
        ORDER BY h.rank DESC, h.updated_at DESC
        """;

    private static readonly string HeadlineOptions =
        $"StartSel=\"{HitStart}\", StopSel=\"{HitEnd}\", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"";

    public async Task<IReadOnlyList<WikiSearchHit>> SearchAsync(string? query, int limit = 20, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return [];
        }
        if (query.Length > MaxQueryLength)
        {
            throw new ArgumentException($"A search is limited to {MaxQueryLength} characters.", nameof(query));
        }
        await using var cmd = dataSource.CreateCommand(Sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = query });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Math.Clamp(limit, 1, 100) });
        cmd.Parameters.Add(new NpgsqlParameter { Value = HeadlineOptions });
        var hits = new List<WikiSearchHit>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            hits.Add(new WikiSearchHit(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFloat(3), SnippetHtml(reader.GetString(4))));
        }
        return hits;
    }

    internal static string SnippetHtml(string headline)
    {
        var html = new StringBuilder(WebUtility.HtmlEncode(headline.ReplaceLineEndings(" ")));
        html.Replace(HitStart.ToString(), "<mark>").Replace(HitEnd.ToString(), "</mark>");
        return html.ToString();
    }
}
