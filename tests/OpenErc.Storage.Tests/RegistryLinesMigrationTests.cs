using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Storage.Tests;

/// <summary>
/// Registry lines that are their own payments leave <c>payment_registry_lines</c>, which keeps the repeats; reverting
/// the migration writes them back from the payments.
/// </summary>
public sealed class RegistryLinesMigrationTests(PostgresCluster cluster)
{
    private const string Before = "20261123030000_LeanPaymentStorage";

    private const string Lines = """
        SELECT coalesce(string_agg(concat_ws('|', registry_id, line_no, agent_id, paid_on, amount, payment_id, outcome), E'\n' ORDER BY registry_id, line_no), '')
        FROM payment_registry_lines
        """;

    [Fact]
    public async Task Lines_that_are_payments_leave_the_table_and_come_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = await cluster.CreateDatabaseAsync("registry_lines");
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), TestClock.On(2026, 11, 20));
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(Before, ct);
        // Registry 2 posted payment 10 onto an account and payment 11 to suspense, and repeated payment 9 of another registry.
        await Sql.ExecAsync(cs, """
            INSERT INTO organisations (id, kind, name, inn) VALUES (5, 5, 'Банк', '7700000001');
            INSERT INTO payment_registries (id, agent_id, file_name, file_sha256, state, registry_date, lines, total, commission, imported_at, imported_by)
            VALUES (1, 5, 'a.txt', 'a', 'accepted', '2026-06-02', 1, 100, 0, '2026-06-03 10:00+03', 't'), (2, 5, 'b.txt', 'b', 'accepted', '2026-06-02', 3, 400, 0, '2026-06-03 10:00+03', 't');
            INSERT INTO payments (id, agent_id, agent_payment_id, channel, account_number, account_id, amount, paid_at, received_on, booking_month, registry_id, line_no, posted_by, posted_at)
            VALUES (9, 5, 'P9', 1, '1001', 1, 100, '2026-06-02 09:00+03', '2026-06-03', '2026-06-01', 1, 1, 't', '2026-06-03 10:00+03'),
                   (10, 5, 'P10', 1, '1001', 1, 200, '2026-06-02 23:30+03', '2026-06-03', '2026-06-01', 2, 1, 't', '2026-06-03 10:00+03'),
                   (11, 5, 'P11', 1, '9999', NULL, 100, '2026-06-02 10:00+03', '2026-06-03', '2026-06-01', 2, 3, 't', '2026-06-03 10:00+03');
            INSERT INTO payment_registry_lines (registry_id, line_no, agent_id, paid_on, amount, payment_id, outcome)
            VALUES (1, 1, 5, '2026-06-02', 100, 9, 'posted'), (2, 1, 5, '2026-06-02', 200, 10, 'posted'),
                   (2, 2, 5, '2026-06-02', 100, 9, 'repeated'), (2, 3, 5, '2026-06-02', 100, 11, 'suspense');
            """);
        var lines = await Sql.ScalarAsync<string>(cs, Lines);

        await migrator.MigrateAsync(null, ct);
        (await Sql.ScalarAsync<string>(cs, Lines)).ShouldBe("2|2|5|2026-06-02|100.00|9|repeated");

        await migrator.MigrateAsync(Before, ct);
        (await Sql.ScalarAsync<string>(cs, Lines)).ShouldBe(lines);
    }
}
