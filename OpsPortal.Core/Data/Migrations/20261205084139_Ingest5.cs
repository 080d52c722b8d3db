using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <summary>
    /// Issue 21.11 (ADR-044): <c>access.path</c> is stored without the query string, which gets its own
    /// column <c>query</c>, so stats, facets, top paths and alert groups count <c>/screen</c> once instead of
    /// once per <c>?id=…&amp;ts=…</c>.
    /// </summary>
    /// <remarks>
    /// Rows already stored are split here, not at read time and not by a later job: a read-time split would
    /// put <c>split_part(path, '?', 1)</c> into every grouping, rollup and index for as long as old rows live
    /// (the rollups would then disagree with <c>access</c>), and a job would leave facets half split for its
    /// duration. Only rows whose path holds a <c>?</c> are rewritten, one day partition per transaction
    /// (newest first), so a large table is never one long transaction and a restart after an interruption
    /// carries on where it stopped: split rows no longer match, and the column is added only if missing.
    /// Each split minute is marked dirty so the rollup job recounts its hour's top paths (the path groups of
    /// the trends do not change: they were already taken without the query string).
    /// The path-only trigram indexes are dropped first (the update would otherwise maintain them); the
    /// partitions-and-retention job rebuilds them over (path, query), concurrently, within 15 minutes.
    /// </remarks>
    public partial class Ingest5 : Migration
    {
        internal const string AddColumn = """
            ALTER TABLE access ADD COLUMN IF NOT EXISTS query text;
            DO $$
            DECLARE idx text;
            BEGIN
                FOR idx IN SELECT c.relname FROM pg_class c JOIN pg_index x ON x.indexrelid = c.oid
                           WHERE c.relname LIKE 'access\_p%\_path\_trgm' LOOP
                    EXECUTE format('DROP INDEX IF EXISTS %I', idx);
                END LOOP;
            END $$;
            """;

        internal const string SplitRows = """
            DO $$
            DECLARE part text;
            BEGIN
                FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                            WHERE i.inhparent = 'access'::regclass ORDER BY c.relname DESC LOOP
                    EXECUTE format($f$
                        WITH split AS (
                            UPDATE %I SET path = left(path, strpos(path, '?') - 1), query = substr(path, strpos(path, '?') + 1)
                            WHERE strpos(path, '?') > 0
                            RETURNING date)
                        INSERT INTO access_rollup_dirty (minute) SELECT DISTINCT date_trunc('minute', date) FROM split
                        $f$, part);
                    COMMIT;
                END LOOP;
            END $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(AddColumn);
            // Outside the migration's transaction, so that the DO block may commit after each partition.
            migrationBuilder.Sql(SplitRows, suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE access SET path = path || '?' || query WHERE query IS NOT NULL;
                ALTER TABLE access DROP COLUMN query;
                """);
        }
    }
}
