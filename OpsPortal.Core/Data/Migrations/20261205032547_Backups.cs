using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Backups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "backup_targets",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    built_in = table.Column<bool>(type: "boolean", nullable: false),
                    protected_connection_string = table.Column<string>(type: "text", nullable: true),
                    server = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    destination = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    schedule = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    drill_schedule = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    keep_daily = table.Column<int>(type: "integer", nullable: false),
                    keep_weekly = table.Column<int>(type: "integer", nullable: false),
                    keep_monthly = table.Column<int>(type: "integer", nullable: false),
                    backup_max_age_hours = table.Column<int>(type: "integer", nullable: false),
                    drill_max_age_hours = table.Column<int>(type: "integer", nullable: false),
                    checks = table.Column<string>(type: "jsonb", nullable: false),
                    stale_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    stale_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_backup_targets", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "backups",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    target_id = table.Column<long>(type: "bigint", nullable: false),
                    method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    requested_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    location = table.Column<string>(type: "character varying(1200)", maxLength: 1200, nullable: true),
                    size_bytes = table.Column<long>(type: "bigint", nullable: true),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    row_counts = table.Column<string>(type: "jsonb", nullable: false),
                    error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    deleted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_backups", x => x.id);
                    table.CheckConstraint("ck_backups_status", "status IN ('queued','running','succeeded','failed')");
                    table.ForeignKey(
                        name: "fk_backups_backup_targets_target_id",
                        column: x => x.target_id,
                        principalTable: "backup_targets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "backup_drills",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    target_id = table.Column<long>(type: "bigint", nullable: false),
                    backup_id = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    requested_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    rto_seconds = table.Column<double>(type: "double precision", nullable: true),
                    steps = table.Column<string>(type: "jsonb", nullable: false),
                    failed_step = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_backup_drills", x => x.id);
                    table.CheckConstraint("ck_backup_drills_status", "status IN ('queued','running','passed','failed')");
                    table.ForeignKey(
                        name: "fk_backup_drills_backup_targets_target_id",
                        column: x => x.target_id,
                        principalTable: "backup_targets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_backup_drills_backups_backup_id",
                        column: x => x.backup_id,
                        principalTable: "backups",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_backup_drills_backup_id",
                table: "backup_drills",
                column: "backup_id");

            migrationBuilder.CreateIndex(
                name: "ix_backup_drills_target_id_id",
                table: "backup_drills",
                columns: new[] { "target_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ux_backup_drills_one_active_per_target",
                table: "backup_drills",
                column: "target_id",
                unique: true,
                filter: "status IN ('queued','running')");

            migrationBuilder.CreateIndex(
                name: "ix_backup_targets_built_in",
                table: "backup_targets",
                column: "built_in",
                unique: true,
                filter: "built_in");

            migrationBuilder.CreateIndex(
                name: "ix_backup_targets_name",
                table: "backup_targets",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_backups_target_id_id",
                table: "backups",
                columns: new[] { "target_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ux_backups_one_active_per_target",
                table: "backups",
                column: "target_id",
                unique: true,
                filter: "status IN ('queued','running')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "backup_drills");

            migrationBuilder.DropTable(
                name: "backups");

            migrationBuilder.DropTable(
                name: "backup_targets");
        }
    }
}
