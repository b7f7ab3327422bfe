using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// What the wear and capital-repair reports read (reports.md §17–19): a building's element inspections with their
    /// share and wear by date (<c>element_inspections</c>), and the regional programme's works with their execution
    /// (<c>capital_repair_works</c>).
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261222000000_BuildingCondition")]
    public partial class BuildingCondition : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "element_inspections",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    building_id = table.Column<long>(type: "bigint", nullable: false),
                    element = table.Column<int>(type: "integer", nullable: false),
                    share = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    wear = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    inspected_on = table.Column<DateOnly>(type: "date", nullable: false),
                    basis = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_element_inspections", x => x.id);
                    table.ForeignKey("fk_element_inspections_buildings_building_id", x => x.building_id, "buildings", "id", onDelete: ReferentialAction.Restrict);
                });
            migrationBuilder.CreateIndex("ix_element_inspections_building_id", "element_inspections", "building_id");
            migrationBuilder.CreateTable(
                name: "capital_repair_works",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    building_id = table.Column<long>(type: "bigint", nullable: false),
                    element = table.Column<int>(type: "integer", nullable: false),
                    work = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    plan_year = table.Column<int>(type: "integer", nullable: false),
                    planned_cost = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    source = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    contractor = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    contract_number = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    contract_price = table.Column<decimal?>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    started_on = table.Column<DateOnly?>(type: "date", nullable: true),
                    accepted_on = table.Column<DateOnly?>(type: "date", nullable: true),
                    accepted_cost = table.Column<decimal?>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    paid_to_contractor = table.Column<decimal?>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_capital_repair_works", x => x.id);
                    table.ForeignKey("fk_capital_repair_works_buildings_building_id", x => x.building_id, "buildings", "id", onDelete: ReferentialAction.Restrict);
                });
            migrationBuilder.CreateIndex("ix_capital_repair_works_building_id", "capital_repair_works", "building_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable("capital_repair_works");
            migrationBuilder.DropTable("element_inspections");
        }
    }
}
