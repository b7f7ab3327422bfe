using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The part of a tariff (0 = ₽ per unit, 1 = the heat-energy component of a two-component hot-water tariff, ₽/Гкал):
    /// every existing row is a per-unit rate.
    /// </summary>
    public partial class TariffPart : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "part",
                table: "tariffs",
                type: "integer",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "part",
                table: "tariffs");
        }
    }
}
