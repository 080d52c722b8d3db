using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Resilience : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "script_group",
                table: "deploys",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "script_group",
                table: "deploys");
        }
    }
}
