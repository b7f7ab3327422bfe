using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <inheritdoc />
    public partial class RegistryEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "access_refused_on",
                table: "meters",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "failed_on",
                table: "meters",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "two_independent_power_sources",
                table: "buildings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "heating_average_volumes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    building_id = table.Column<long>(type: "bigint", nullable: false),
                    volume = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: false),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    basis = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_heating_average_volumes", x => x.id);
                    table.ForeignKey(
                        name: "fk_heating_average_volumes_buildings_building_id",
                        column: x => x.building_id,
                        principalTable: "buildings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "incidents",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    building_id = table.Column<long>(type: "bigint", nullable: false),
                    premise_id = table.Column<long>(type: "bigint", nullable: true),
                    service_id = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTime>(type: "timestamp without time zone", nullable: false),
                    ended_at = table.Column<DateTime>(type: "timestamp without time zone", nullable: false),
                    deviation_degrees = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    deviation_percent = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    temperature = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    document = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incidents", x => x.id);
                    table.ForeignKey(
                        name: "fk_incidents_buildings_building_id",
                        column: x => x.building_id,
                        principalTable: "buildings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_incidents_premises_premise_id",
                        column: x => x.premise_id,
                        principalTable: "premises",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_incidents_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "meter_impossibility_acts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    premise_id = table.Column<long>(type: "bigint", nullable: false),
                    resource = table.Column<int>(type: "integer", nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: false),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    document = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_meter_impossibility_acts", x => x.id);
                    table.ForeignKey(
                        name: "fk_meter_impossibility_acts_premises_premise_id",
                        column: x => x.premise_id,
                        principalTable: "premises",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_heating_average_volumes_building_id",
                table: "heating_average_volumes",
                column: "building_id");

            migrationBuilder.CreateIndex(
                name: "ix_incidents_building_id_started_at",
                table: "incidents",
                columns: new[] { "building_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_incidents_premise_id",
                table: "incidents",
                column: "premise_id");

            migrationBuilder.CreateIndex(
                name: "ix_incidents_service_id",
                table: "incidents",
                column: "service_id");

            migrationBuilder.CreateIndex(
                name: "ix_meter_impossibility_acts_premise_id_resource",
                table: "meter_impossibility_acts",
                columns: new[] { "premise_id", "resource" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "heating_average_volumes");

            migrationBuilder.DropTable(
                name: "incidents");

            migrationBuilder.DropTable(
                name: "meter_impossibility_acts");

            migrationBuilder.DropColumn(
                name: "access_refused_on",
                table: "meters");

            migrationBuilder.DropColumn(
                name: "failed_on",
                table: "meters");

            migrationBuilder.DropColumn(
                name: "two_independent_power_sources",
                table: "buildings");
        }
    }
}
