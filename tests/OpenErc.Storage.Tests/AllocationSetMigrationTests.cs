using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Storage.Tests;

/// <summary>
/// Allocation lines written one row per line before the sets read the same through the view, numbered as they were,
/// and go back to rows when the migration is reverted.
/// </summary>
public sealed class AllocationSetMigrationTests(PostgresCluster cluster)
{
    private const string Before = "20261123020000_CabinetOrders";

    /// <summary>Every line as text, in payment and line order.</summary>
    private const string Lines = """
        SELECT string_agg(concat_ws('|', booking_month, payment_id, line, account_id, service_id, supplier_id, service_month, kind, amount, commission,
                                    paid_on, received_on), E'\n' ORDER BY payment_id, line)
        FROM payment_allocations
        """;

    [Fact]
    public async Task Lines_stored_as_rows_are_read_the_same_as_sets_and_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = await cluster.CreateDatabaseAsync("alloc_sets");
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), TestClock.On(2026, 11, 20));
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(Before, ct);
        // A payment split over two services, an advance split later (received on another day), and a reversal.
        await Sql.ExecAsync(cs, """
            SELECT ensure_payment_allocations_partition('2026-06-01');
            INSERT INTO payment_allocations (booking_month, payment_id, line, account_id, service_id, supplier_id, service_month, kind, amount, commission, paid_on, received_on)
            VALUES ('2026-06-01', 1, 1, 10, 3, 7, '2026-05-01', 0, 600.00, 6.00, '2026-06-02', '2026-06-03'),
                   ('2026-06-01', 1, 2, 10, 4, 8, '2026-05-01', 0, 400.00, 4.00, '2026-06-02', '2026-06-03'),
                   ('2026-06-01', 2, 1, 11, NULL, NULL, NULL, 2, 500.00, 0, '2026-06-02', '2026-06-02'),
                   ('2026-06-01', 2, 2, 11, NULL, NULL, NULL, 2, -500.00, 0, '2026-06-02', '2026-06-30'),
                   ('2026-06-01', 2, 3, 11, 3, 7, NULL, 2, 300.00, 0, '2026-06-02', '2026-06-30'),
                   ('2026-06-01', 2, 4, 11, 4, 8, NULL, 2, 200.00, 0, '2026-06-02', '2026-06-30'),
                   ('2026-06-01', 3, 1, 10, 3, 7, '2026-05-01', 0, -600.00, -6.00, '2026-06-02', '2026-06-04'),
                   ('2026-06-01', 3, 2, 10, 4, 8, '2026-05-01', 0, -400.00, -4.00, '2026-06-02', '2026-06-04');
            """);
        var rows = await Sql.ScalarAsync<string>(cs, Lines);

        await migrator.MigrateAsync(null, ct);
        (await Sql.ScalarAsync<string>(cs, Lines)).ShouldBe(rows);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payment_allocation_sets")).ShouldBe(4);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payment_allocation_sets WHERE array_position(service_ids, NULL) IS NOT NULL")).ShouldBe(2);

        await migrator.MigrateAsync(Before, ct);
        (await Sql.ScalarAsync<string>(cs, Lines)).ShouldBe(rows);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payment_allocations")).ShouldBe(8);
    }
}
