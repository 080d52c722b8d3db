using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Backups5 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "label",
                table: "backups",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "method",
                table: "backup_targets",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "pg_dump");

            migrationBuilder.AddColumn<string>(
                name: "pgbackrest_config",
                table: "backup_targets",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "stanza",
                table: "backup_targets",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            // Backups made before methods existed were all pg_dump files ("logical").
            migrationBuilder.Sql("UPDATE backups SET method = 'pg_dump' WHERE method = 'logical'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "label",
                table: "backups");

            migrationBuilder.DropColumn(
                name: "method",
                table: "backup_targets");

            migrationBuilder.DropColumn(
                name: "pgbackrest_config",
                table: "backup_targets");

            migrationBuilder.DropColumn(
                name: "stanza",
                table: "backup_targets");
        }
    }
}
