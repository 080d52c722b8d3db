using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class AccessLog : Migration
    {
        // Frozen here with the migration: later schema changes get migrations of their own.
        private const string CreateSql = """
        CREATE SEQUENCE access_id_seq AS bigint;
        CREATE TABLE access (
            id            bigint NOT NULL DEFAULT nextval('access_id_seq'),
            ip            inet,
            hostname      text,
            username      text,
            date          timestamp without time zone NOT NULL,
            method        text,
            path          text,
            protocol      text,
            status        integer,
            size          integer,
            referrer      text,
            useragent     text,
            clienttime    double precision,
            backendtime   double precision,
            backendip     inet,
            backendport   integer,
            backendstatus integer,
            ssl_cipher    text,
            ssl_protocol  text,
            scheme        text,
            source_id     integer,
            remote_host   text,
            raw_request   text
        ) PARTITION BY RANGE (date);
        ALTER SEQUENCE access_id_seq OWNED BY access.id;

        -- Measured (docs/logs.md, 5M rows): a btree on date serves both windowed counts and
        -- "newest N" (BRIN cannot do the latter); id breaks ties for keyset paging. ~4% load cost.
        CREATE INDEX access_date_id_idx ON access (date, id);

        -- Creates one day's partition unless it exists; safe to race from several nodes.
        CREATE FUNCTION access_ensure_partition(day date) RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE
            part text := 'access_p' || to_char(day, 'YYYYMMDD');
        BEGIN
            IF to_regclass(part) IS NOT NULL THEN
                RETURN false;
            END IF;
            -- Serialise creators; a racer that still loses (its catalog cache predates the
            -- winner's commit) gets duplicate_table or a catalog unique_violation: both mean "exists".
            PERFORM pg_advisory_xact_lock(hashtext('opsportal.access_partitions'));
            EXECUTE format('CREATE TABLE %I PARTITION OF access FOR VALUES FROM (%L) TO (%L)', part, day, day + 1);
            RETURN true;
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            RETURN false;
        END
        $$;
        """;

        private const string DropSql = """
        DROP FUNCTION IF EXISTS access_ensure_partition(date);
        DROP TABLE IF EXISTS access;
        """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "log_sources",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    format = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    host_label = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    path = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    syslog_tag = table.Column<string>(type: "character varying(48)", maxLength: 48, nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    is_demo = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    accepted_total = table.Column<long>(type: "bigint", nullable: false),
                    rejected_total = table.Column<long>(type: "bigint", nullable: false),
                    last_line_at = table.Column<DateTime>(type: "timestamp without time zone", nullable: true),
                    last_received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    last_error_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_log_sources", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "log_file_cursors",
                columns: table => new
                {
                    source_id = table.Column<int>(type: "integer", nullable: false),
                    file_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    offset = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_log_file_cursors", x => x.source_id);
                    table.ForeignKey(
                        name: "fk_log_file_cursors_log_sources_source_id",
                        column: x => x.source_id,
                        principalTable: "log_sources",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "log_rejects",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    source_id = table.Column<int>(type: "integer", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    raw = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_log_rejects", x => x.id);
                    table.ForeignKey(
                        name: "fk_log_rejects_log_sources_source_id",
                        column: x => x.source_id,
                        principalTable: "log_sources",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_log_rejects_received_at",
                table: "log_rejects",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_log_rejects_source_id_received_at",
                table: "log_rejects",
                columns: new[] { "source_id", "received_at" });

            migrationBuilder.CreateIndex(
                name: "ix_log_sources_name",
                table: "log_sources",
                column: "name",
                unique: true);

            migrationBuilder.Sql(CreateSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(DropSql);

            migrationBuilder.DropTable(
                name: "log_file_cursors");

            migrationBuilder.DropTable(
                name: "log_rejects");

            migrationBuilder.DropTable(
                name: "log_sources");
        }
    }
}
