using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpsPortal.Core.Logs.Rollups;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <summary>
    /// Per-minute rollups of the access table (docs/decisions/ADR-009); the SQL lives in <see cref="LogRollupSql"/>.
    /// No model change (the tables are not EF entities), so no target model.
    /// </summary>
    [DbContext(typeof(OpsDbContext))]
    [Migration("20261126094012_LogRollups")]
    public partial class LogRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(LogRollupSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(LogRollupSql.Down);
        }
    }
}
