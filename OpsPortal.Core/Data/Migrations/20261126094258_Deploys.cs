using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Deploys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "deploy_locks",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    service = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    environment = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    locked_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    locked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deploy_locks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deploys",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    service = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    environment = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    version = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    previous_version = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    requested_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    exit_code = table.Column<int>(type: "integer", nullable: true),
                    outcome = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    script = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    ticket_key = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    rollback_of = table.Column<long>(type: "bigint", nullable: true),
                    diff_url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    runner = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    heartbeat_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cancel_requested_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    line_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deploys", x => x.id);
                    table.CheckConstraint("ck_deploys_status", "status IN ('queued','running','succeeded','failed','cancelled','interrupted')");
                });

            migrationBuilder.CreateTable(
                name: "deploy_output",
                columns: table => new
                {
                    deploy_id = table.Column<long>(type: "bigint", nullable: false),
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    is_error = table.Column<bool>(type: "boolean", nullable: false),
                    text = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deploy_output", x => new { x.deploy_id, x.seq });
                    table.ForeignKey(
                        name: "fk_deploy_output_deploys_deploy_id",
                        column: x => x.deploy_id,
                        principalTable: "deploys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deploy_locks_service_environment",
                table: "deploy_locks",
                columns: new[] { "service", "environment" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deploys_requested_at",
                table: "deploys",
                column: "requested_at");

            migrationBuilder.CreateIndex(
                name: "ix_deploys_service_environment_id",
                table: "deploys",
                columns: new[] { "service", "environment", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_deploys_status",
                table: "deploys",
                column: "status",
                filter: "status IN ('queued','running')");

            migrationBuilder.CreateIndex(
                name: "ux_deploys_one_active_per_target",
                table: "deploys",
                columns: new[] { "service", "environment" },
                unique: true,
                filter: "status IN ('queued','running')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deploy_locks");

            migrationBuilder.DropTable(
                name: "deploy_output");

            migrationBuilder.DropTable(
                name: "deploys");
        }
    }
}
