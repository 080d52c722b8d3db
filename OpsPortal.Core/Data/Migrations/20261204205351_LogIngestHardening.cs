using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class LogIngestHardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "last_loss",
                table: "log_sources",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_loss_at",
                table: "log_sources",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "loss_count",
                table: "log_sources",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "lost_bytes",
                table: "log_sources",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "rejects_not_kept",
                table: "log_sources",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "size",
                table: "log_file_cursors",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "log_ingest_keys",
                columns: table => new
                {
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    body_sha256 = table.Column<byte[]>(type: "bytea", nullable: false),
                    source_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    accepted = table.Column<long>(type: "bigint", nullable: true),
                    rejected = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_log_ingest_keys", x => new { x.actor, x.key });
                });

            migrationBuilder.CreateIndex(
                name: "ix_log_ingest_keys_created_at",
                table: "log_ingest_keys",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "log_ingest_keys");

            migrationBuilder.DropColumn(
                name: "last_loss",
                table: "log_sources");

            migrationBuilder.DropColumn(
                name: "last_loss_at",
                table: "log_sources");

            migrationBuilder.DropColumn(
                name: "loss_count",
                table: "log_sources");

            migrationBuilder.DropColumn(
                name: "lost_bytes",
                table: "log_sources");

            migrationBuilder.DropColumn(
                name: "rejects_not_kept",
                table: "log_sources");

            migrationBuilder.DropColumn(
                name: "size",
                table: "log_file_cursors");
        }
    }
}
