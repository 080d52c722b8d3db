using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpsPortal.Core.Metrics.Storage;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <summary>
    /// Metric storage: series, raw points, rollups per minute and hour (docs/decisions/ADR-018); the SQL
    /// lives in <see cref="MetricsSql"/>. No model change (the tables are not EF entities), so no target model.
    /// </summary>
    [DbContext(typeof(OpsDbContext))]
    [Migration("20261204200000_Metrics")]
    public partial class Metrics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(MetricsSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(MetricsSql.Down);
        }
    }
}
