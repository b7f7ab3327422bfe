using System;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A premise's housing stock: state or municipal (<c>public_stock</c>) until the day it was privatised
    /// (<c>privatised_on</c>) — the disabled's housing discount is given there only (181-ФЗ ст. 17 ч. 13).
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261231030000_PremisePublicStock")]
    public partial class PremisePublicStock : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "privatised_on",
                table: "premises",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "public_stock",
                table: "premises",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "privatised_on",
                table: "premises");

            migrationBuilder.DropColumn(
                name: "public_stock",
                table: "premises");
        }
    }
}
