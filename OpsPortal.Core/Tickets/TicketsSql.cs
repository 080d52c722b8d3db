namespace OpsPortal.Core.Tickets;

/// <summary>
/// What the Tickets migration adds by hand, kept here so the migration can be regenerated:
/// the key sequence, and the full-text columns and indexes (weighted, generated columns EF
/// cannot express). Search reads them with raw SQL (<c>TicketSearch</c>).
/// </summary>
internal static class TicketsSql
{
    public const string Up = """
        CREATE SEQUENCE ticket_numbers AS bigint START 1;

        -- Titles weigh more than descriptions in the ranking.
        ALTER TABLE tickets ADD COLUMN search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
            setweight(to_tsvector('english', coalesce(description, '')), 'B')) STORED;
        CREATE INDEX ix_tickets_search ON tickets USING gin (search);

        ALTER TABLE ticket_comments ADD COLUMN search tsvector GENERATED ALWAYS AS (
            to_tsvector('english', coalesce(body, ''))) STORED;
        CREATE INDEX ix_ticket_comments_search ON ticket_comments USING gin (search);
        """;

    public const string Down = """
        DROP INDEX IF EXISTS ix_ticket_comments_search;
        ALTER TABLE ticket_comments DROP COLUMN IF EXISTS search;
        DROP INDEX IF EXISTS ix_tickets_search;
        ALTER TABLE tickets DROP COLUMN IF EXISTS search;
        DROP SEQUENCE IF EXISTS ticket_numbers;
        """;
}
