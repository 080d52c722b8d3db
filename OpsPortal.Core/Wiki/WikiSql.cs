namespace OpsPortal.Core.Wiki;

/// <summary>
/// What EF Core cannot express for the wiki, applied by the <c>Wiki</c> migration: the full-text
/// column (a stored generated <c>tsvector</c>, so it can never drift from the text) and its GIN index.
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
}
