namespace OpsPortal.Core.Tickets;

/// <summary>
/// What the TicketSearchDocument migration adds by hand (ADR-015): one search document per ticket,
/// <c>ticket_search(ticket_id, document)</c> = the ticket's weighted title (A) and description (B)
/// followed by its comments (D), so ranking reads one row per matching ticket instead of one per
/// matching comment. Triggers keep it current in the same transaction as any write to tickets or
/// comments, whichever code path makes it. It lives apart from <c>tickets</c> so that a comment
/// never rewrites the ticket row (whose row_version is the optimistic-concurrency token).
/// </summary>
internal static class TicketSearchSql
{
    public const string Up = """
        CREATE TABLE ticket_search (
            ticket_id bigint PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
            document tsvector NOT NULL);
        CREATE INDEX ix_ticket_search_document ON ticket_search USING gin (document);

        -- doc || part, unless the result could pass tsvector's 1 MB limit: then the part is left out
        -- (only a ticket with ~800 kB of distinct words in its comments gets there), because a
        -- failing append would refuse the comment itself. pg_column_size of a stored, compressed
        -- value under-counts; the 200 kB margin covers one maximal (50,000-character) text.
        CREATE FUNCTION ticket_search_append(doc tsvector, part tsvector) RETURNS tsvector
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN CASE WHEN pg_column_size(doc) + pg_column_size(part) < 800000 THEN doc || part ELSE doc END;
        -- || in aggregate form: positions of each part follow the previous one's, as in one text.
        CREATE AGGREGATE ticket_search_agg(tsvector) (SFUNC = ticket_search_append, STYPE = tsvector, INITCOND = '');

        -- Rebuilds the documents of the given tickets from their current text. The row lock first,
        -- then the rebuild in a statement of its own (a fresh snapshot under READ COMMITTED), so two
        -- transactions writing comments of the same ticket cannot leave a document missing either.
        CREATE FUNCTION ticket_search_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(cardinality(ids), 0) = 0 THEN
                RETURN;
            END IF;
            PERFORM 1 FROM ticket_search WHERE ticket_id = ANY (ids) ORDER BY ticket_id FOR UPDATE;
            INSERT INTO ticket_search (ticket_id, document)
            SELECT t.id, ticket_search_append(t.search, coalesce(c.part, ''))
            FROM tickets t
            LEFT JOIN LATERAL (SELECT ticket_search_agg(search ORDER BY id) AS part
                               FROM ticket_comments WHERE ticket_id = t.id) c ON true
            WHERE t.id = ANY (ids)
            ON CONFLICT (ticket_id) DO UPDATE SET document = excluded.document;
        END $$;

        CREATE FUNCTION ticket_search_tickets_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM ticket_search_refresh(array(SELECT id FROM new_rows));
            ELSE
                -- Status, assignee, labels… leave the document alone; only the text rebuilds it.
                PERFORM ticket_search_refresh(array(
                    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.title IS DISTINCT FROM o.title OR n.description IS DISTINCT FROM o.description));
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER ticket_search_tickets_inserted AFTER INSERT ON tickets
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_tickets_changed();
        CREATE TRIGGER ticket_search_tickets_updated AFTER UPDATE ON tickets
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_tickets_changed();

        CREATE FUNCTION ticket_search_comments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM ticket_search_refresh(array(SELECT DISTINCT ticket_id FROM new_rows));
            ELSIF TG_OP = 'DELETE' THEN
                -- A ticket's own deletion cascades here; its document is already gone and stays so.
                PERFORM ticket_search_refresh(array(SELECT DISTINCT ticket_id FROM old_rows));
            ELSE
                PERFORM ticket_search_refresh(array(
                    SELECT n.ticket_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.body IS DISTINCT FROM o.body OR n.ticket_id IS DISTINCT FROM o.ticket_id
                    UNION
                    SELECT o.ticket_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.ticket_id IS DISTINCT FROM o.ticket_id));
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER ticket_search_comments_inserted AFTER INSERT ON ticket_comments
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_comments_changed();
        CREATE TRIGGER ticket_search_comments_updated AFTER UPDATE ON ticket_comments
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_comments_changed();
        CREATE TRIGGER ticket_search_comments_deleted AFTER DELETE ON ticket_comments
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_comments_changed();

        -- Backfill: every existing ticket gets its document, set-based (one pass over the comments).
        INSERT INTO ticket_search (ticket_id, document)
        SELECT t.id, ticket_search_append(t.search, coalesce(c.part, ''))
        FROM tickets t
        LEFT JOIN (SELECT ticket_id, ticket_search_agg(search ORDER BY id) AS part
                   FROM ticket_comments GROUP BY ticket_id) c ON c.ticket_id = t.id;
        ANALYZE ticket_search;
        """;

    public const string Down = """
        DROP TRIGGER IF EXISTS ticket_search_comments_deleted ON ticket_comments;
        DROP TRIGGER IF EXISTS ticket_search_comments_updated ON ticket_comments;
        DROP TRIGGER IF EXISTS ticket_search_comments_inserted ON ticket_comments;
        DROP TRIGGER IF EXISTS ticket_search_tickets_updated ON tickets;
        DROP TRIGGER IF EXISTS ticket_search_tickets_inserted ON tickets;
        DROP FUNCTION IF EXISTS ticket_search_comments_changed();
        DROP FUNCTION IF EXISTS ticket_search_tickets_changed();
        DROP FUNCTION IF EXISTS ticket_search_refresh(bigint[]);
        DROP TABLE IF EXISTS ticket_search;
        DROP AGGREGATE IF EXISTS ticket_search_agg(tsvector);
        DROP FUNCTION IF EXISTS ticket_search_append(tsvector, tsvector);
        """;
}
