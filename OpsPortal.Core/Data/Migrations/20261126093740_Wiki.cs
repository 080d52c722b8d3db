using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Wiki : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "wiki_pages",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    slug = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    services = table.Column<List<string>>(type: "text[]", nullable: false),
                    is_demo = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wiki_pages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "wiki_images",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    page_id = table.Column<long>(type: "bigint", nullable: false),
                    file_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    content_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false),
                    uploaded_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wiki_images", x => x.id);
                    table.ForeignKey(
                        name: "fk_wiki_images_wiki_page_page_id",
                        column: x => x.page_id,
                        principalTable: "wiki_pages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "wiki_links",
                columns: table => new
                {
                    page_id = table.Column<long>(type: "bigint", nullable: false),
                    target_slug = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wiki_links", x => new { x.page_id, x.target_slug });
                    table.ForeignKey(
                        name: "fk_wiki_links_wiki_page_page_id",
                        column: x => x.page_id,
                        principalTable: "wiki_pages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "wiki_redirects",
                columns: table => new
                {
                    from_slug = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    page_id = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wiki_redirects", x => x.from_slug);
                    table.ForeignKey(
                        name: "fk_wiki_redirects_wiki_pages_page_id",
                        column: x => x.page_id,
                        principalTable: "wiki_pages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "wiki_revisions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    page_id = table.Column<long>(type: "bigint", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    slug = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    services = table.Column<List<string>>(type: "text[]", nullable: false),
                    author = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    message = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wiki_revisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_wiki_revisions_wiki_pages_page_id",
                        column: x => x.page_id,
                        principalTable: "wiki_pages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_wiki_images_page_id",
                table: "wiki_images",
                column: "page_id");

            migrationBuilder.CreateIndex(
                name: "ix_wiki_links_target_slug",
                table: "wiki_links",
                column: "target_slug");

            migrationBuilder.CreateIndex(
                name: "ix_wiki_pages_services",
                table: "wiki_pages",
                column: "services")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_wiki_pages_slug",
                table: "wiki_pages",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_wiki_pages_updated_at",
                table: "wiki_pages",
                column: "updated_at");

            migrationBuilder.CreateIndex(
                name: "ix_wiki_redirects_page_id",
                table: "wiki_redirects",
                column: "page_id");

            migrationBuilder.CreateIndex(
                name: "ix_wiki_revisions_created_at",
                table: "wiki_revisions",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_wiki_revisions_page_id_number",
                table: "wiki_revisions",
                columns: new[] { "page_id", "number" },
                unique: true);

            migrationBuilder.Sql(OpsPortal.Core.Wiki.WikiSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(OpsPortal.Core.Wiki.WikiSql.Down);

            migrationBuilder.DropTable(
                name: "wiki_images");

            migrationBuilder.DropTable(
                name: "wiki_links");

            migrationBuilder.DropTable(
                name: "wiki_redirects");

            migrationBuilder.DropTable(
                name: "wiki_revisions");

            migrationBuilder.DropTable(
                name: "wiki_pages");
        }
    }
}
