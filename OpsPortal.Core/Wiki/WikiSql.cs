namespace OpsPortal.Core.Wiki;

/// <summary>
/// What EF Core cannot express for the wiki, applied by the <c>Wiki</c> migration: the full-text
/// column (a stored generated <c>tsvector</c>, so it can never drift from the text) and its GIN index;
/// and (migration <c>WikiSearchHead</c>) the small title/slug/headings vector search ranks by first.
/// </summary>
public static class WikiSql
{
    public const string Up = """
        ALTER TABLE wiki_pages ADD COLUMN search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A') ||
            setweight(to_tsvector('english', replace(slug, '/', ' ')), 'A') ||
            setweight(to_tsvector('english', body), 'B')) STORED;
        CREATE INDEX ix_wiki_pages_search ON wiki_pages USING gin (search);
        """;

    public const string Down = """
        DROP INDEX IF EXISTS ix_wiki_pages_search;
        ALTER TABLE wiki_pages DROP COLUMN IF EXISTS search;
        """;

    /// <summary>
    /// <c>search_head</c>: title, slug and markdown headings only (~250 bytes, stored in the row, never
    /// TOASTed). <see cref="WikiSearch"/> puts pages whose head matches the whole query first and uses it
    /// to pick which matches get the full (TOAST-reading) rank. Adding the stored column rewrites the
    /// table, which fills it for existing pages. A heading is a line starting with 1–6 <c>#</c> and a
    /// space (shell comments in fenced code count too: harmless, they are short).
    /// </summary>
    public const string SearchHeadUp = """
        ALTER TABLE wiki_pages ADD COLUMN search_head tsvector GENERATED ALWAYS AS (
            to_tsvector('english', title) ||
            to_tsvector('english', replace(slug, '/', ' ')) ||
            to_tsvector('english', regexp_replace(body, '^(?!#{1,6}[ \t]).*$', '', 'gn'))) STORED;
        """;

    public const string SearchHeadDown = "ALTER TABLE wiki_pages DROP COLUMN IF EXISTS search_head;";
}
