using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A closed month's amounts by the consumption norm (ПП 354 п. 118; reports.md §10's norm basis): per overdue account ×
    /// service × supplier, the monthly amount by the norm on the month's last day, computed by the calculator when the
    /// month closes. The debtors register reads them; a month closed before has none and its register falls back to the
    /// month's charge, saying so.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261228000000_ClosedMonthNorms")]
    public partial class ClosedMonthNorms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE closed_month_norms (
                    month date NOT NULL,
                    account_id bigint NOT NULL,
                    service_id bigint NOT NULL,
                    supplier_id bigint NOT NULL,
                    monthly numeric(15,2) NOT NULL,
                    PRIMARY KEY (month, account_id, service_id, supplier_id));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE closed_month_norms;");
        }
    }
}
