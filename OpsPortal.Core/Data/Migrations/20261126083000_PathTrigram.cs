using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <summary>
    /// pg_trgm, for the trigram indexes on <c>path</c> that <c>LogMaintenanceJob</c> builds on closed
    /// (past) day partitions: bare words and path globs are ILIKE on path (bench/RESULTS.md, issue 4).
    /// Not on the partitioned parent: on the open partition it would cut COPY ~4x (docs/logs.md).
    /// No model change, so no target model.
    /// </summary>
    [DbContext(typeof(OpsDbContext))]
    [Migration("20261126083000_PathTrigram")]
    public partial class PathTrigram : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // CASCADE drops the partitions' trigram indexes with it.
            migrationBuilder.Sql("DROP EXTENSION IF EXISTS pg_trgm CASCADE;");
        }
    }
}
