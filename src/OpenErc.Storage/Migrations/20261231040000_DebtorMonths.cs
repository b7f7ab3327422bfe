using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The debtors register reads the rows it prints: each closed month's overdue row and norm amount are indexed by the
    /// row's months of debt <c>(overdue + 0.005) / monthly</c> (the register's threshold of k months is a range of it), and
    /// a norm amount keeps its row's overdue debt for that. Before, the register joined every overdue row of the month with
    /// its norm amount — a million of each for 100,000 accounts — to keep a few per cent.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261231040000_DebtorMonths")]
    public partial class DebtorMonths : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE closed_month_norms ADD COLUMN overdue numeric(15,2);
                UPDATE closed_month_norms n SET overdue = o.overdue FROM closed_month_overdue o
                WHERE o.month = n.month AND o.account_id = n.account_id AND o.service_id = n.service_id AND o.supplier_id = n.supplier_id;
                UPDATE closed_month_norms SET overdue = 0 WHERE overdue IS NULL;
                ALTER TABLE closed_month_norms ALTER COLUMN overdue SET NOT NULL;
                CREATE INDEX ix_closed_month_norms_months ON closed_month_norms (month, ((overdue + 0.005) / nullif(monthly, 0)));
                CREATE INDEX ix_closed_month_overdue_months ON closed_month_overdue (month, ((overdue + 0.005) / nullif(monthly, 0)));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_closed_month_overdue_months;
                DROP INDEX ix_closed_month_norms_months;
                ALTER TABLE closed_month_norms DROP COLUMN overdue;
                """);
        }
    }
}
