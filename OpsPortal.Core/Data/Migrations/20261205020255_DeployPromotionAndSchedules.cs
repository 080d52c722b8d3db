using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeployPromotionAndSchedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_deploy_locks_service_environment",
                table: "deploy_locks");

            migrationBuilder.AddColumn<string>(
                name: "promoted_from",
                table: "deploys",
                type: "character varying(63)",
                maxLength: 63,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "expires_at",
                table: "deploy_locks",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "repeats_weekly",
                table: "deploy_locks",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "starts_at",
                table: "deploy_locks",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            // Locks set before schedules existed held from when they were set.
            migrationBuilder.Sql("UPDATE deploy_locks SET starts_at = locked_at");

            migrationBuilder.CreateIndex(
                name: "ix_deploy_locks_service_environment",
                table: "deploy_locks",
                columns: new[] { "service", "environment" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_deploy_locks_window",
                table: "deploy_locks",
                sql: "expires_at IS NULL OR expires_at > starts_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_deploy_locks_service_environment",
                table: "deploy_locks");

            migrationBuilder.DropCheckConstraint(
                name: "ck_deploy_locks_window",
                table: "deploy_locks");

            migrationBuilder.DropColumn(
                name: "promoted_from",
                table: "deploys");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "deploy_locks");

            migrationBuilder.DropColumn(
                name: "repeats_weekly",
                table: "deploy_locks");

            migrationBuilder.DropColumn(
                name: "starts_at",
                table: "deploy_locks");

            migrationBuilder.CreateIndex(
                name: "ix_deploy_locks_service_environment",
                table: "deploy_locks",
                columns: new[] { "service", "environment" },
                unique: true);
        }
    }
}
