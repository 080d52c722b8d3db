using System;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeployVerification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "deploy_impacts",
                columns: table => new
                {
                    deploy_id = table.Column<long>(type: "bigint", nullable: false),
                    service = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    environment = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    selector = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    switch_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    before_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    before_to = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    after_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    after_to = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    verdict = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    report = table.Column<JsonDocument>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    evaluated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    judged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    auto_rollback = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    auto_rollback_detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    rollback_deploy_id = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deploy_impacts", x => x.deploy_id);
                    table.CheckConstraint("ck_deploy_impacts_verdict", "verdict IN ('watching','healthy','regressed','not_enough_traffic','skipped')");
                    table.ForeignKey(
                        name: "fk_deploy_impacts_deploys_deploy_id",
                        column: x => x.deploy_id,
                        principalTable: "deploys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deploy_impacts_auto_rollback",
                table: "deploy_impacts",
                column: "auto_rollback",
                filter: "auto_rollback = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ix_deploy_impacts_service_environment_deploy_id",
                table: "deploy_impacts",
                columns: new[] { "service", "environment", "deploy_id" });

            migrationBuilder.CreateIndex(
                name: "ix_deploy_impacts_verdict",
                table: "deploy_impacts",
                column: "verdict",
                filter: "verdict = 'watching'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deploy_impacts");
        }
    }
}
