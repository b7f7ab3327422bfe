using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Storage.Tests;

/// <summary>
/// Two posted months of the wide ledger — a run's regular charges, a recalculation and a penalty with their reasons and
/// author, a line without a trace — become narrow lines and details that read back the same through
/// <c>charge_line_details</c>, with the regular posting unique; and go back to the wide rows when reverted.
/// </summary>
public sealed class NarrowLedgerMigrationTests(PostgresCluster cluster)
{
    private const string Before = "20261207000000_ServiceAccounts";

    /// <summary>Every line's content as text in key order (numbers by value: the database's scale of a rate is not information).</summary>
    private static string Digest(string table) => $"""
        SELECT string_agg(concat_ws('|', booking_month, service_month, account_id, building_id, service_id, supplier_id, zone, kind, run_id,
                                    trim_scale(volume), unit, trim_scale(rate), trim_scale(coefficient), trim_scale(day_factor), source,
                                    trim_scale(unrounded), amount, reason, posted_by, coalesce(trace_template::text, '-'), coalesce(trace_values, '-')), E'\n'
                          ORDER BY booking_month, account_id, service_id, supplier_id, zone, kind, service_month, run_id)
        FROM {table}
        """;

    [Fact]
    public async Task Posted_months_become_narrow_lines_with_details_and_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = await cluster.CreateDatabaseAsync("narrow_ledger");
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), TestClock.On(2026, 12, 6));
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(Before, ct);
        await Sql.ExecAsync(cs, """
            SET session_replication_role = replica; -- the restart log's references to buildings are not what is tested
            INSERT INTO billing_runs (id, month, scope, scope_key, dry_run, state, started_by, started_at)
            VALUES (1, '2026-10-01', 'весь регион', 'all', false, 'completed', 'расчётчик', '2026-10-25 10:00+03'),
                   (2, '2026-11-01', 'весь регион', 'all', false, 'completed', 'расчётчик', '2026-11-25 10:00+03'),
                   (3, '2026-11-01', 'перерасчёт', 'recalc', false, 'completed', 'Иванова', '2026-11-26 11:00+03'),
                   (4, '2026-11-01', 'пени', 'penalties', false, 'completed', 'Иванова', '2026-11-27 12:00+03');
            INSERT INTO billing_run_buildings (run_id, building_id, state, finished_at)
            VALUES (1, 7, 'done', '2026-10-25 10:01+03'), (1, 8, 'done', '2026-10-25 10:01+03'), (2, 7, 'done', '2026-11-25 10:01+03');
            SELECT ensure_charge_lines_partition('2026-10-01'), ensure_charge_lines_partition('2026-11-01');
            INSERT INTO charge_lines (booking_month, service_month, account_id, building_id, service_id, supplier_id, zone, kind, run_id, volume, unit,
                                      rate, coefficient, day_factor, source, unrounded, amount, reason, posted_by, trace_template, trace_values)
            VALUES ('2026-10-01', '2026-10-01', 10, 7, 1, 9, 0, 0, 1, 4.3780000000, 'м³', 58.610000, 1, 1, 1, 256.5945800000000000, 256.59, NULL, NULL, 105, '207.386;211.764'),
                   ('2026-10-01', '2026-10-01', 10, 7, 4, 11, 1, 0, 1, 93, 'кВт·ч', 6.66, 1, 1, 1, 619.38, 619.38, NULL, NULL, 106, ''),
                   ('2026-10-01', '2026-10-01', 10, 7, 4, 11, 2, 0, 1, 31, 'кВт·ч', 2.5, 1, 1, 1, 77.5, 77.50, NULL, NULL, 106, '~2;3'),
                   ('2026-10-01', '2026-10-01', 20, 8, 1, 9, 0, 1, 1, -0.5, 'м³', 58.61, 1, 0.5, 6, -29.305, -29.31, NULL, NULL, NULL, NULL),
                   ('2026-11-01', '2026-11-01', 10, 7, 1, 9, 0, 0, 2, 4.1, 'м³', 58.61, 1, 1, 2, 240.301, 240.30, NULL, NULL, 105, '1;2'),
                   ('2026-11-01', '2026-10-01', 10, 7, 1, 9, 0, 5, 3, 1.2, 'м³', 58.61, 1, 1, 6, 70.332, 70.33, 'Перерасчёт по показаниям', 'Иванова', 107, '3'),
                   ('2026-11-01', '2026-10-01', 20, 8, 1, 9, 0, 7, 4, 500, '₽', 9.5, 1, 1, 6, 1.27, 1.27, 'Пени на 27.11.2026', 'Иванова', 108, '');
            """);
        var wide = await Sql.ScalarAsync<string>(cs, Digest("charge_lines"));

        await migrator.MigrateAsync(null, ct);
        (await Sql.ScalarAsync<string>(cs, Digest("charge_line_details"))).ShouldBe(wide);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_lines")).ShouldBe(7);
        (await Sql.ScalarAsync<long>(cs, "SELECT sum(kopecks)::bigint FROM charge_lines")).ShouldBe(25659 + 61938 + 7750 - 2931 + 24030 + 7033 + 127);
        (await Sql.ScalarAsync<long>(cs, "SELECT sum(kopecks)::bigint FROM charge_details")).ShouldBe(25659 + 61938 + 7750 - 2931 + 24030 + 7033 + 127);
        (await Sql.ScalarAsync<string>(cs, "SELECT string_agg(booking_month || ':' || building_id || ':' || run_id || ':' || regular, ' ' ORDER BY 1) FROM charge_details"))
            .ShouldBe("2026-10-01:7:1:true 2026-10-01:8:1:true 2026-11-01:7:2:true 2026-11-01:7:3:false 2026-11-01:8:4:false");
        var second = await Should.ThrowAsync<PostgresException>(() => Sql.ExecAsync(cs,
            "INSERT INTO charge_details (booking_month, building_id, run_id, regular, lines, kopecks, data) VALUES ('2026-11-01', 7, 5, true, 0, 0, '')"));
        second.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        // Details are compressed by the server.
        (await Sql.ScalarAsync<string>(cs, "SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'charge_details'::regclass AND attname = 'data'"))
            .ShouldBe("l");

        await migrator.MigrateAsync(Before, ct);
        (await Sql.ScalarAsync<string>(cs, Digest("charge_lines").Replace("posted_by,", "posted_by, posted_at,", StringComparison.Ordinal)))
            .ShouldBe(await Sql.ScalarAsync<string>(cs, Digest("charge_lines").Replace("posted_by,", "posted_by, (SELECT started_at FROM billing_runs r WHERE r.id = run_id),", StringComparison.Ordinal)));
        (await Sql.ScalarAsync<string>(cs, Digest("charge_lines"))).ShouldBe(wide);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'charge_details%' OR tablename LIKE 'wide_%'")).ShouldBe(0);
    }
}
