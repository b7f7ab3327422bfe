using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Card payments started from the citizen cabinet: an order (account, amount, designated month) is created before the
    /// citizen is sent to the acquiring bank's page, and becomes paid (with the payment it posted) or cancelled when the
    /// bank calls back. The payment itself is an ordinary row of <c>payments</c> keyed by the acquiring bank and the order
    /// id, so a repeated callback posts nothing twice. Plain SQL like <see cref="Payments"/>.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261123020000_CabinetOrders")]
    public partial class CabinetOrders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE cabinet_orders (
                    id uuid PRIMARY KEY,
                    acquirer text NOT NULL,
                    agent_id bigint NOT NULL REFERENCES organisations (id),
                    account_number text NOT NULL,
                    account_id bigint NOT NULL REFERENCES personal_accounts (id),
                    amount numeric(15,2) NOT NULL CHECK (amount > 0),
                    period date,
                    state text NOT NULL DEFAULT 'created' CHECK (state IN ('created', 'paid', 'cancelled')),
                    payment_id bigint REFERENCES payments (id),
                    created_at timestamptz NOT NULL,
                    finished_at timestamptz,
                    CONSTRAINT ck_cabinet_orders_paid CHECK ((state = 'paid') = (payment_id IS NOT NULL)));
                CREATE INDEX ix_cabinet_orders_account ON cabinet_orders (account_id, created_at);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE cabinet_orders;");
        }
    }
}
