using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpsPortal.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class OnCall : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "page_ids",
                incrementBy: 10);

            migrationBuilder.AddColumn<string>(
                name: "escalation_policy",
                table: "services",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "escalation_policies",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    levels = table.Column<string>(type: "jsonb", nullable: false),
                    repeat = table.Column<int>(type: "integer", nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    is_demo = table.Column<bool>(type: "boolean", nullable: false),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_escalation_policies", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "oncall_schedules",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    layers = table.Column<string>(type: "jsonb", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    is_demo = table.Column<bool>(type: "boolean", nullable: false),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oncall_schedules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pages",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    subject_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    subject_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    event_subject_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    event_subject_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    service = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    summary = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    detail = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    links = table.Column<string>(type: "jsonb", nullable: false),
                    policy_id = table.Column<long>(type: "bigint", nullable: true),
                    policy_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    levels = table.Column<string>(type: "jsonb", nullable: false),
                    repeat = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    level = table.Column<int>(type: "integer", nullable: false),
                    cycle = table.Column<int>(type: "integer", nullable: false),
                    opened_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_escalation_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    exhausted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    acknowledged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    acknowledged_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    acknowledged_via = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    resolved_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "personal_notification_settings",
                columns: table => new
                {
                    user_email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    email_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    webhook_protected = table.Column<string>(type: "text", nullable: true),
                    webhook_host = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    webhook_slack = table.Column<bool>(type: "boolean", nullable: false),
                    webhook_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    browser_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    tickets_assigned = table.Column<bool>(type: "boolean", nullable: false),
                    tickets_watched = table.Column<bool>(type: "boolean", nullable: false),
                    incidents_of_my_services = table.Column<bool>(type: "boolean", nullable: false),
                    deploys_of_my_services = table.Column<bool>(type: "boolean", nullable: false),
                    mentions = table.Column<bool>(type: "boolean", nullable: false),
                    services = table.Column<List<string>>(type: "text[]", nullable: false),
                    quiet_from = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    quiet_to = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_personal_notification_settings", x => x.user_email);
                });

            migrationBuilder.CreateTable(
                name: "oncall_overrides",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    schedule_id = table.Column<long>(type: "bigint", nullable: false),
                    person = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    replaces = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oncall_overrides", x => x.id);
                    table.ForeignKey(
                        name: "fk_oncall_overrides_on_call_schedule_schedule_id",
                        column: x => x.schedule_id,
                        principalTable: "oncall_schedules",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "page_ack_tokens",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    page_id = table.Column<long>(type: "bigint", nullable: false),
                    person = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_page_ack_tokens", x => x.id);
                    table.ForeignKey(
                        name: "fk_page_ack_tokens_page_page_id",
                        column: x => x.page_id,
                        principalTable: "pages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "page_notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    page_id = table.Column<long>(type: "bigint", nullable: false),
                    level = table.Column<int>(type: "integer", nullable: false),
                    cycle = table.Column<int>(type: "integer", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    person = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    destination = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    delivery_id = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_page_notifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_page_notifications_pages_page_id",
                        column: x => x.page_id,
                        principalTable: "pages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_escalation_policies_is_default",
                table: "escalation_policies",
                column: "is_default",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_escalation_policies_name",
                table: "escalation_policies",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_oncall_overrides_schedule_id_ends_at",
                table: "oncall_overrides",
                columns: new[] { "schedule_id", "ends_at" });

            migrationBuilder.CreateIndex(
                name: "ix_oncall_schedules_name",
                table: "oncall_schedules",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_page_ack_tokens_page_id",
                table: "page_ack_tokens",
                column: "page_id");

            migrationBuilder.CreateIndex(
                name: "ix_page_ack_tokens_token_hash",
                table: "page_ack_tokens",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_page_notifications_page_id",
                table: "page_notifications",
                column: "page_id");

            migrationBuilder.CreateIndex(
                name: "ix_page_notifications_person_at",
                table: "page_notifications",
                columns: new[] { "person", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_pages_next_escalation_at",
                table: "pages",
                column: "next_escalation_at",
                filter: "status = 'Triggered'");

            migrationBuilder.CreateIndex(
                name: "ix_pages_opened_at",
                table: "pages",
                column: "opened_at");

            migrationBuilder.CreateIndex(
                name: "ix_pages_subject_type_subject_id",
                table: "pages",
                columns: new[] { "subject_type", "subject_id" },
                unique: true,
                filter: "status <> 'Resolved'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "escalation_policies");

            migrationBuilder.DropTable(
                name: "oncall_overrides");

            migrationBuilder.DropTable(
                name: "page_ack_tokens");

            migrationBuilder.DropTable(
                name: "page_notifications");

            migrationBuilder.DropTable(
                name: "personal_notification_settings");

            migrationBuilder.DropTable(
                name: "oncall_schedules");

            migrationBuilder.DropTable(
                name: "pages");

            migrationBuilder.DropColumn(
                name: "escalation_policy",
                table: "services");

            migrationBuilder.DropSequence(
                name: "page_ids");
        }
    }
}
