using Microsoft.EntityFrameworkCore.Migrations;
using OpsPortal.Core.Logs.Rollups;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <summary>
    /// A year of history: access-log trends per minute and hour (<see cref="LogTrendSql"/>, ADR-025), one
    /// partition function for every time-partitioned rollup table (<see cref="TimePartitions"/>), and
    /// covering indexes that let a metric panel at its rollup's own step read the index only (ADR-018).
    /// No model change (none of these are EF entities): the Designer holds the unchanged model.
    /// </summary>
    public partial class Trends : Migration
    {
        private const string MetricIndexes = """
            CREATE INDEX metric_rollup_minute_cover_idx ON metric_rollup_minute (series_id, at)
                INCLUDE (count, sum, min, max, last, last_at, p50, p90, p95, p99);
            CREATE INDEX metric_rollup_hour_cover_idx ON metric_rollup_hour (series_id, at)
                INCLUDE (count, sum, min, max, last, last_at, p50, p90, p95, p99);
            DROP FUNCTION IF EXISTS metric_ensure_partition(text, timestamp);
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(TimePartitions.EnsureFunctionSql);
            migrationBuilder.Sql(MetricIndexes);
            migrationBuilder.Sql(LogTrendSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(LogTrendSql.Down);
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS metric_rollup_hour_cover_idx;
                DROP INDEX IF EXISTS metric_rollup_minute_cover_idx;
                DROP FUNCTION IF EXISTS rollup_ensure_partition(text, timestamp);
                """);
        }
    }
}
