using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Payments;

namespace OpenErc.Operations.Billing;

public sealed record ClosingReport(BillingPeriod Month, long Balances, long Accounts, decimal Opening, decimal Charged, decimal Recalculated,
    decimal Penalties, decimal Paid, decimal Closing);

public sealed record RunStatus(long Id, string Scope, bool DryRun, string State, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    int Buildings, int Done, int Failed, long Lines, decimal Total, string? Note);

public sealed record PeriodStatus(BillingPeriod Month, string State, DateTimeOffset? ClosedAt, string? ClosedBy, long PostedLines, decimal PostedTotal,
    IReadOnlyList<RunStatus> Runs, IReadOnlyList<BuildingFailure> OpenFailures);

/// <summary>Billing months: closing (balances derived from the lines) and status.</summary>
public static class BillingPeriods
{
    /// <summary>
    /// Closes the month: writes <c>account_balances</c> per account × service × supplier from the lines booked in the
    /// month (charged: the month's own regular lines; recalculated: every other line booked in it — absence and
    /// quality reductions, recalculations and corrections of earlier months), penalties: the lines of kind
    /// <see cref="ChargeLineKind.Penalty"/>, the opening from the previous month's closing, paid: the payment allocations booked in the month (advances paid before the account had charges are first split by the month's charges, see <see cref="PaymentPosting.SpreadUnsplitAdvancesAsync"/>; one still unsplit stays under service and supplier 0); checks them against the lines and marks the month closed, all in one transaction.
    /// </summary>
    public static async Task<ClosingReport> CloseAsync(string connectionString, BillingPeriod month, RegionClock clock, string closedBy = "система",
        CancellationToken ct = default)
    {
        // Closing opens the next month, and the range of months ends: the centre does not keep months after 2099-12.
        if (month == BillingPeriod.MaxValue) throw new BillingException($"Месяц {month.Name()} — последний, который ведёт центр: закрыть его нельзя");
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await PaymentPosting.EnsurePartitionsAsync(conn, month, ct);
        await PaymentPosting.EnsurePartitionsAsync(conn, month.Next(), ct);
        // The month's partitions of the balances and the debt books, made before the closing's transaction: creating a
        // partition locks its table, which readers of the months before must not wait on while the month closes.
        await using (var cmd = new NpgsqlCommand("SELECT ensure_month_partition('account_balances', @m), ensure_month_partition('debt_books', @m)", conn))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await BillingRun.LockAsync(conn, month, $"Идёт расчёт месяца {month}: закрыть месяц нельзя", ct);
        ClosingReport report;
        try
        {
            report = await CloseLockedAsync(conn, month, closedBy, clock, ct);
        }
        finally
        {
            await BillingRun.UnlockAsync(conn, month);
        }
        // The month's debtors are counted from their index alone once their pages are marked visible to all: until
        // autovacuum comes to the table, a supplier's count of a million debtors visits every row (1.7 s against 0.16 s).
        // The month's debt books likewise: every payment of the next month reads them, and until they were vacuumed the
        // demo year's cash desk took 25–34 s instead of 9 s (each read checking the visibility of rows just written).
        // Of the debt books, the month's partition only: the months before were vacuumed when they closed.
        await using (var vacuum = new NpgsqlCommand($"VACUUM (ANALYZE) closed_month_debtors, {Partition("debt_books", month)}", conn) { CommandTimeout = 0 })
            await vacuum.ExecuteNonQueryAsync(ct);
        // The month's snapshots (and its balances, analyzed inside the closing) are what reports read next: without fresh
        // statistics the planner takes the new month for a few rows and joins a region's debtors by nested loops over every
        // account (54 s instead of a second at 20 k accounts). ANALYZE samples, so its cost does not grow with the months kept.
        await using (var analyze = new NpgsqlCommand("ANALYZE closed_month_buildings, closed_month_building_accounts, closed_month_bills, closed_month_norms", conn) { CommandTimeout = 0 })
            await analyze.ExecuteNonQueryAsync(ct);
        return report;
    }

    private static async Task<ClosingReport> CloseLockedAsync(NpgsqlConnection conn, BillingPeriod month, string closedBy, RegionClock clock, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The row of the open month is locked for the closing: a concurrent closing of the same month waits and then
        // finds it closed, and postings that read the open month see the next one only after the commit.
        var open = await OpenMonthAsync(conn, tx, forUpdate: true, ct);
        if (open is null) throw new BillingException($"Расчётный месяц ещё не открыт: закрывать нечего");
        if (open != month)
            throw new BillingException(month < open
                ? $"Месяц {month.Name()} уже закрыт; открыт {open.Value.Name()}"
                : $"Закрыть можно только открытый месяц — {open.Value.Name()}; месяцы закрываются по порядку");
        await using (var cmd = new NpgsqlCommand($"""
            SELECT (SELECT min(id) FROM billing_runs WHERE month = @m AND state = 'running' AND NOT dry_run),
                   (SELECT count(*) FROM buildings b
                    WHERE EXISTS (SELECT 1 FROM premises p JOIN personal_accounts a ON a.premise_id = p.id
                                  WHERE p.building_id = b.id AND a.opened_on < @to AND (a.closed_on IS NULL OR a.closed_on > @m))
                      AND NOT EXISTS (SELECT 1 FROM billing_run_buildings rb JOIN billing_runs r ON r.id = rb.run_id
                                      WHERE rb.building_id = b.id AND r.month = @m AND NOT r.dry_run))
            """, conn, tx))
        {
            cmd.Parameters.AddMonthDays(month, "m", "to");
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            if (!r.IsDBNull(0)) throw new BillingException($"Расчёт №{r.GetInt64(0)} за {month} не завершён: продолжите его перед закрытием месяца");
            if (r.GetInt64(1) > 0)
                throw new BillingException($"Месяц {month.Name()} не начислен: {r.GetInt64(1)} дом(ов) с открытыми лицевыми счетами не рассчитаны — сначала выполните расчёт месяца");
        }
        // The closing's aggregates group a month's millions of chunks: with the server's default memory per sort or hash
        // (4 MB) each spills to disk in dozens of batches. One session, once a month: it may take more.
        await using (var cmd = new NpgsqlCommand("SET LOCAL work_mem = '256MB'; SELECT pg_advisory_xact_lock(@lock)", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("lock", PaymentPosting.BookingLockKey));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var today = clock.Today;
        await PaymentPosting.SpreadUnsplitAdvancesAsync(conn, month, today, ct);
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO account_balances (month, account_id, service_id, supplier_id, opening, charged, recalculated, penalties, paid, closing, benefits)\n" +
            BalancesSql() + "\nORDER BY account_id, service_id, supplier_id", conn, tx) { CommandTimeout = 0 }) // in key order: the primary key fills page by page
        {
            AddBalancesParameters(cmd.Parameters, month);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        // Every account's debt book as the month leaves it: payments read it instead of all history (DebtLedger); and the
        // month's totals by supplier × service and by account, which the cabinets and the dashboard read.
        // The closing's statements grow with the region (a month's lines and books): no time limit but the lock's.
        // Each of the month's new partitions is analyzed as soon as it is written (ANALYZE counts the transaction's own rows):
        // the statements after read them, and a partition without statistics is taken for a few thousand rows — the
        // overdue rows were then joined to the balances by a million index lookups (21 s instead of a few).
        await using (var cmd = new NpgsqlCommand($"""
            ANALYZE {Partition("account_balances", month)};
            SELECT write_debt_book(@m);
            ANALYZE {Partition("debt_books", month)};
            SELECT write_closed_month_totals(@m);
            """, conn, tx) { CommandTimeout = 0 })
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await ClosedMonthSnapshots.WriteAsync(conn, tx, month, ct);
        ClosingReport report;
        await using (var cmd = new NpgsqlCommand("""
            SELECT count(*), count(DISTINCT account_id), coalesce(sum(opening), 0), coalesce(sum(charged), 0), coalesce(sum(recalculated), 0),
                   coalesce(sum(penalties), 0), coalesce(sum(paid), 0), coalesce(sum(closing), 0),
                   count(*) FILTER (WHERE opening + charged + recalculated + penalties - paid <> closing),
                   (SELECT coalesce(sum(kopecks), 0) * 0.01 FROM charge_lines WHERE booking_month = @m),
                   (SELECT coalesce(sum(amount), 0) FROM payment_allocations WHERE booking_month = @m),
                   (SELECT count(*) FROM account_balances b FULL JOIN (SELECT * FROM account_balances WHERE month = @prev) p
                        USING (account_id, service_id, supplier_id)
                    WHERE b.month = @m AND b.opening <> coalesce(p.closing, 0) OR b.month IS NULL)
            FROM account_balances WHERE month = @m
            """, conn, tx) { CommandTimeout = 0 })
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            cmd.Parameters.Add(MonthParameter("prev", Before(month)));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            report = new ClosingReport(month, r.GetInt64(0), r.GetInt64(1), r.GetDecimal(2), r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6), r.GetDecimal(7));
            Invariant.Holds(r.GetInt64(8) == 0, $"{r.GetInt64(8)} balances of {month} break opening + charged + recalculated + penalties − paid = closing");
            Invariant.Holds(report.Charged + report.Recalculated + report.Penalties == r.GetDecimal(9),
                $"balances of {month} hold {report.Charged + report.Recalculated + report.Penalties} ₽ of charges and penalties, the lines {r.GetDecimal(9)} ₽");
            Invariant.Holds(report.Paid == r.GetDecimal(10), $"balances of {month} hold {report.Paid} ₽ paid, the allocations {r.GetDecimal(10)} ₽");
            Invariant.Holds(r.GetInt64(11) == 0, $"{r.GetInt64(11)} balances of {month} do not open with the closing of the month before");
        }
        await using (var cmd = new NpgsqlCommand("""
            UPDATE billing_periods SET state = 'closed', closed_at = @now, closed_by = @by WHERE month = @m;
            INSERT INTO billing_periods (month, state, opened_at) VALUES (@next, 'open', @now);
            """ + Reports.ReportMailing.QueueSql, conn, tx))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            cmd.Parameters.Add(MonthParameter("next", month.Next()));
            cmd.Parameters.Add(new NpgsqlParameter<string>("by", closedBy));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return report;
    }

    /// <summary>
    /// The balances of month <c>@m</c> as its closing writes them (and as they stand so far while it is open):
    /// <c>month, account_id, service_id, supplier_id, opening, charged, recalculated, penalties, paid, closing, benefits</c>
    /// (the part of the recalculations that is benefits in kind) per account × service × supplier, from the lines and the payment allocations booked in the month and the closing of
    /// <c>@prev</c> (none while that month is not closed); a balance brought from an earlier system
    /// (<see cref="ChargeLineKind.OpeningBalance"/>) opens the month it is booked in. <paramref name="filter"/> narrows each of the three sources by
    /// their common columns (<c>account_id</c>, <c>service_id</c>, <c>supplier_id</c>), e.g. <c>AND supplier_id = @supplier</c>.
    /// Parameters: <c>@m</c>, <c>@prev</c> (dates), <c>@penalty</c> and <c>@opening</c> (the kinds), as
    /// <see cref="AddBalancesParameters"/> sets them.
    /// </summary>
    internal static string BalancesSql(string filter = "") => $"""
        SELECT @m AS month, account_id, service_id, supplier_id, sum(opening) AS opening, sum(charged) * 0.01 AS charged,
               sum(recalculated) * 0.01 AS recalculated, sum(penalties) * 0.01 AS penalties, sum(paid) AS paid,
               sum(opening) + (sum(charged) + sum(recalculated) + sum(penalties)) * 0.01 - sum(paid) AS closing, sum(benefits) * 0.01 AS benefits
        FROM (
            SELECT account_id, service_id::bigint AS service_id, supplier_id::bigint AS supplier_id,
                   CASE WHEN kind = @opening THEN kopecks * 0.01 ELSE 0 END AS opening,
                   CASE WHEN kind = 0 AND service_month = @m THEN kopecks ELSE 0 END AS charged,
                   CASE WHEN NOT (kind = 0 AND service_month = @m) AND kind NOT IN (@penalty, @opening) THEN kopecks ELSE 0 END AS recalculated,
                   CASE WHEN kind = @penalty THEN kopecks ELSE 0 END AS penalties, 0::numeric AS paid,
                   CASE WHEN kind = {(short)ChargeLineKind.Benefit} THEN kopecks ELSE 0 END AS benefits
            FROM charge_lines WHERE booking_month = @m {filter}
            UNION ALL
            SELECT account_id, coalesce(service_id, 0), coalesce(supplier_id, 0), 0, 0, 0, 0, amount, 0
            FROM payment_allocations WHERE booking_month = @m {filter}
            UNION ALL
            SELECT account_id, service_id, supplier_id, closing, 0, 0, 0, 0, 0 FROM account_balances WHERE month = @prev {filter}
        ) x
        GROUP BY account_id, service_id, supplier_id
        """;

    /// <summary>The parameters of <see cref="BalancesSql"/> for <paramref name="month"/>.</summary>
    internal static void AddBalancesParameters(NpgsqlParameterCollection parameters, BillingPeriod month)
    {
        parameters.Add(MonthParameter("m", month));
        parameters.Add(MonthParameter("prev", Before(month)));
        parameters.Add(new NpgsqlParameter<short>("penalty", (short)ChargeLineKind.Penalty));
        parameters.Add(new NpgsqlParameter<short>("opening", (short)ChargeLineKind.OpeningBalance));
    }

    /// <summary>The month before <paramref name="month"/>; none before the first month, so nothing opens it (SQL NULL matches no row).</summary>
    private static BillingPeriod? Before(BillingPeriod month) => month > BillingPeriod.MinValue ? month.Previous() : null;

    public static async Task<PeriodStatus> StatusAsync(string connectionString, BillingPeriod month, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        string state = "not_open";
        DateTimeOffset? closedAt = null;
        string? closedBy = null;
        await using (var cmd = new NpgsqlCommand("SELECT state, closed_at, closed_by FROM billing_periods WHERE month = @m", conn))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
                (state, closedAt, closedBy) = (r.GetString(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1), r.IsDBNull(2) ? null : r.GetString(2));
        }
        long lines = 0;
        decimal total = 0;
        // The postings' own counts and totals: a month of a million accounts without reading its 13 M lines.
        await using (var cmd = new NpgsqlCommand("SELECT coalesce(sum(lines), 0)::bigint, coalesce(sum(kopecks), 0) * 0.01 FROM charge_details WHERE booking_month = @m", conn))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            (lines, total) = (r.GetInt64(0), r.GetDecimal(1));
        }
        var runs = new List<RunStatus>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT id, scope, dry_run, state, started_at, finished_at, buildings, buildings_done, buildings_failed, lines, total, note
            FROM billing_runs WHERE month = @m ORDER BY id
            """, conn))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                runs.Add(new RunStatus(r.GetInt64(0), r.GetString(1), r.GetBoolean(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4),
                    r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt64(9), r.GetDecimal(10),
                    r.IsDBNull(11) ? null : r.GetString(11)));
        }
        // Buildings that failed in a run of the month and have not been charged since.
        var failures = new List<BuildingFailure>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT DISTINCT ON (rb.building_id) rb.building_id, b.address, rb.error
            FROM billing_run_buildings rb JOIN billing_runs r ON r.id = rb.run_id JOIN buildings b ON b.id = rb.building_id
            WHERE r.month = @m AND NOT r.dry_run AND rb.state = 'failed'
              AND NOT EXISTS (SELECT 1 FROM billing_run_buildings d JOIN billing_runs dr ON dr.id = d.run_id
                              WHERE d.building_id = rb.building_id AND d.state = 'done' AND dr.month = @m AND NOT dr.dry_run)
            ORDER BY rb.building_id, rb.run_id DESC
            """, conn))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) failures.Add(new BuildingFailure(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? "" : r.GetString(2)));
        }
        return new PeriodStatus(month, state, closedAt, closedBy, lines, total, runs, failures);
    }

    /// <summary>The open billing month, or null while the centre has never opened one.</summary>
    public static async Task<BillingPeriod?> OpenMonthAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await OpenMonthAsync(conn, null, forUpdate: false, ct);
    }

    internal static async Task<BillingPeriod?> OpenMonthAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, bool forUpdate, CancellationToken ct,
        bool share = false)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT month FROM billing_periods WHERE state = 'open'" + (forUpdate ? " FOR UPDATE" : share ? " FOR SHARE" : ""), conn, tx);
        return MonthOrNull(await cmd.ExecuteScalarAsync(ct));
    }

    /// <summary>
    /// Opens <paramref name="month"/> as the centre's first billing month when no month was ever opened (a fresh
    /// database: the hosts open the region clock's current month, the demo region the first month of its history, a
    /// migration from another system the month it goes live), and returns the open month — which is another one
    /// when the centre already works.
    /// </summary>
    public static async Task<BillingPeriod> StartAsync(string connectionString, BillingPeriod month, RegionClock clock, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await StartAsync(conn, month, clock, ct);
    }

    internal static async Task<BillingPeriod> StartAsync(NpgsqlConnection conn, BillingPeriod month, RegionClock clock, CancellationToken ct)
    {
        var open = await OpenFirstAsync(conn, null, month, clock, ct);
        // Payments are booked into the open month: its allocation partitions exist from the day it opens.
        await PaymentPosting.EnsurePartitionsAsync(conn, open, ct);
        return open;
    }

    /// <summary>
    /// <see cref="StartAsync(NpgsqlConnection, BillingPeriod, RegionClock, CancellationToken)"/> without the payments' partitions, inside
    /// the caller's transaction: the caller ensures them (<see cref="PaymentPosting.EnsurePartitionsAsync"/>) after its commit.
    /// </summary>
    internal static async Task<BillingPeriod> OpenFirstAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, BillingPeriod month, RegionClock clock, CancellationToken ct)
    {
        // The partial unique index admits one open row; an empty table is the only case where this inserts.
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO billing_periods (month, state, opened_at) SELECT @m, 'open', @now WHERE NOT EXISTS (SELECT 1 FROM billing_periods)
            ON CONFLICT DO NOTHING;
            SELECT month FROM billing_periods WHERE state = 'open';
            """, conn, tx);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        return MonthOrNull(await cmd.ExecuteScalarAsync(ct)) ?? throw new InvalidOperationException("billing_periods has no open month");
    }

    /// <summary>Refuses (<see cref="BillingException"/>) <paramref name="what"/> for any month but the open one, before work starts.</summary>
    public static async Task RequireOpenAsync(string connectionString, BillingPeriod month, string what, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await RequireOpenAsync(conn, null, month, what, ct);
    }

    /// <summary>
    /// Refuses (<see cref="BillingException"/>, a 409 for people) anything booked into <paramref name="month"/> unless it
    /// is the open month; <paramref name="what"/> names it («начисления», «перерасчёты»).
    /// </summary>
    internal static async Task RequireOpenAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, BillingPeriod month, string what, CancellationToken ct)
    {
        var open = await OpenMonthAsync(conn, tx, forUpdate: false, ct, share: tx is not null);
        if (open == month) return;
        throw new BillingException(open is null
            ? $"Расчётный месяц не открыт: {what} за {month.Name()} не принимаются"
            : month < open
                ? $"Месяц {month.Name()} закрыт: {what} проводятся только в открытый месяц — {open.Value.Name()}"
                : $"Открыт месяц {open.Value.Name()}: {what} за {month.Name()} — только после его закрытия");
    }
}
