using System.Net;
using System.Text;
using Npgsql;

namespace OpsPortal.Core.Wiki;

public sealed record WikiSearchHit(string Slug, string Title, DateTimeOffset UpdatedAt, double Rank, string SnippetHtml);

/// <summary>
/// Full-text search over titles (weight A) and bodies (weight B) with PostgreSQL's <c>tsvector</c>
/// (<see cref="WikiSql"/>), with snippets from the body by <c>ts_headline</c>. The query is what
/// people type into web search engines (<c>websearch_to_tsquery</c>: words, "phrases", -not, or).
/// Order: pages whose title, slug or headings (<c>search_head</c>) match the whole query first, then
/// <c>ts_rank_cd</c> normalised by the log of the page length (a huge page does not win by repeating
/// a word), then the most recently edited. ADR-016 explains the bounds that keep it fast.
/// </summary>
public sealed class WikiSearch(NpgsqlDataSource dataSource)
{
    public const int MaxQueryLength = 500;

    /// <summary>
    /// How many matches get the full rank, which reads each page's TOASTed ~5 KB vector. When more
    /// pages match, the head matches and then the most recently edited pages are ranked; the others
    /// are not shown (ADR-016).
    /// </summary>
    public const int DefaultRankedCandidates = 1000;

    /// <summary>A body of more bytes than this gets its snippet from a window of this many characters around its first hit.</summary>
    public const int SnippetWindow = 20_000;

    // Private-use characters mark the hits inside the snippet: the body is encoded as HTML first,
    // then only these become <mark>, so nothing in a page can inject markup through a snippet.
    private const char HitStart = '\uE000';
    private const char HitEnd = '\uE001';

    // "T" is a query GIN cannot narrow (only -words): it would read the whole index and list every page.
    // Sent in the same round trip as Sql, whose q is then empty so it does no work.
    private const string IndexablePartSql = "SELECT querytree(websearch_to_tsquery('english', $1))";

    // q is MATERIALIZED so the planner cannot see the words: knowing them, it picks a seq scan for a
    // common word and reads (detoasts) every page's vector just to test @@, where the GIN bitmap scan
    // reads none for plain words (phrases are rechecked). TOASTed values are read only where used:
    // the vector of the ranked candidates, the body of the page of results. ts_headline's cost grows
    // with the text (~60 ms for a 500 KB page), so a long body gets a window from just before the
    // first place a query lexeme occurs in lower case, else Capitalised or UPPER (stems are mostly
    // prefixes of the word; if none is found the window is the start). Lower case first: strpos
    // stops at the first hit, and a form that is absent costs a scan of the whole text. `|| ''`
    // detoasts that body once, not once per use; octet_length reads only the TOAST header.
    private const string Sql = """
        WITH q AS MATERIALIZED (
            SELECT q FROM websearch_to_tsquery('english', $1) q WHERE querytree(q) <> 'T'),
        candidates AS (
            SELECT p.slug, p.title, p.body, p.search, p.updated_at, p.search_head @@ q.q AS in_head
            FROM wiki_pages p, q
            WHERE p.search @@ q.q
            ORDER BY in_head DESC, p.updated_at DESC
            LIMIT $4),
        hits AS (
            SELECT c.slug, c.title, c.body, c.updated_at, c.in_head, ts_rank_cd(c.search, q.q, 1) AS rank
            FROM candidates c, q
            ORDER BY c.in_head DESC, rank DESC, c.updated_at DESC
            LIMIT $2)
        SELECT h.slug, h.title, h.updated_at, h.rank,
               ts_headline('english',
                   CASE WHEN octet_length(h.body) <= $5 THEN h.body ELSE (
                       SELECT substr(b.text, greatest(1, coalesce(
                           (SELECT min(nullif(strpos(b.text, w[1]), 0))
                            FROM regexp_matches(q.q::text, '''([^'']+)''', 'g') w),
                           (SELECT min(nullif(strpos(b.text, f), 0))
                            FROM regexp_matches(q.q::text, '''([^'']+)''', 'g') w,
                                 unnest(ARRAY[initcap(w[1]), upper(w[1])]) f),
                           1) - 500), $5)
                       FROM (SELECT h.body || '' AS text OFFSET 0) b) END,
                   q.q, $3)
        FROM hits h, q
        ORDER BY h.in_head DESC, h.rank DESC, h.updated_at DESC
        """;

    private static readonly string HeadlineOptions =
        $"StartSel=\"{HitStart}\", StopSel=\"{HitEnd}\", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"";

    /// <summary>Tests set a small bound to see what happens past it without a thousand pages.</summary>
    internal int RankedCandidates { get; init; } = DefaultRankedCandidates;

    public async Task<Result<IReadOnlyList<WikiSearchHit>>> SearchAsync(string? query, int limit = 20, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return new List<WikiSearchHit>();
        }
        if (query.Length > MaxQueryLength)
        {
            return Refusal.Invalid($"A search is limited to {MaxQueryLength} characters.", "Invalid search");
        }
        limit = Math.Clamp(limit, 1, 100);
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(IndexablePartSql) { Parameters = { new() { Value = query } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Sql)
        {
            Parameters =
            {
                new() { Value = query },
                new() { Value = limit },
                new() { Value = HeadlineOptions },
                new() { Value = Math.Max(RankedCandidates, limit) },
                new() { Value = SnippetWindow },
            },
        });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (reader.GetString(0) == "T")
        {
            return Refusal.Invalid("Add a word to search for: a search of only -excluded words would list nearly every page.", "Invalid search");
        }
        await reader.NextResultAsync(ct);
        var hits = new List<WikiSearchHit>();
        while (await reader.ReadAsync(ct))
        {
            hits.Add(new WikiSearchHit(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFloat(3), SnippetHtml(reader.GetString(4))));
        }
        return hits;
    }

    internal static string SnippetHtml(string headline)
    {
        var html = new StringBuilder(WebUtility.HtmlEncode(WikiSnippetText.Plain(headline).ReplaceLineEndings(" ")));
        html.Replace(HitStart.ToString(), "<mark>").Replace(HitEnd.ToString(), "</mark>");
        return html.ToString();
    }
}
