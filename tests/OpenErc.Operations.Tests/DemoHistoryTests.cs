using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Core.Payments;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>A small demo region that has lived the twelve months before November 2026: made once for the tests of its history.</summary>
public sealed class DemoYear(PostgresCluster cluster) : IAsyncLifetime
{
    public static readonly BillingPeriod Current = new(2026, 11);
    public static readonly DemoOptions Options = new(Accounts: 80, Seed: 42, Current, Months: 12);

    public string ConnectionString { get; private set; } = "";
    public DemoResult Result { get; private set; } = null!;

    /// <summary>The twelve closed months, oldest first.</summary>
    public static IReadOnlyList<BillingPeriod> Closed { get; } =
        Enumerable.Range(0, 12).Select(i => BillingPeriod.Of(Options.FirstMonth.FirstDay.AddMonths(i))).ToList();

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await cluster.CreateDatabaseAsync("year");
        Result = await DemoRegion.GenerateAsync(ConnectionString, Options, ct: TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// The demo region's year of life: months charged and closed in order with the current one open and not charged;
/// every channel's payments, issued documents, recalculations, a quality reduction, penalties, old debts and advances,
/// suppliers' transfers and the suspense queue in every month; the balance equation; the same seed and month give the
/// same ledger.
/// </summary>
public sealed class DemoHistoryTests(DemoYear year, PostgresCluster cluster) : IClassFixture<DemoYear>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private string Cs => year.ConnectionString;

    private static string Day(BillingPeriod month) => $"'{month.FirstDay:yyyy-MM-dd}'";

    private async Task<List<T>> ColumnAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(Cs);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        var values = new List<T>();
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct)) values.Add(r.GetFieldValue<T>(0));
        return values;
    }

    /// <summary>
    /// A payment's debt book read from the last closed month's books plus what was booked since is the book of all
    /// history, for every account of the year: the same open debts with their due dates, advances, the split of an
    /// advance and the total debt — also after the open month's charges and payments land.
    /// </summary>
    [Fact]
    public async Task The_debt_book_from_the_closed_month_books_is_the_book_of_all_history()
    {
        await using var conn = new NpgsqlConnection(Cs);
        await conn.OpenAsync(Ct);
        var accounts = (await ColumnAsync<long>("SELECT id FROM personal_accounts ORDER BY id")).ToArray();
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(DISTINCT month) FROM debt_books")).ShouldBe(DemoYear.Closed.Count);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM debt_books WHERE month = {Day(DemoYear.Closed[^1])}"))
            .ShouldBeLessThan(await Sql.ScalarAsync<long>(Cs, "SELECT count(DISTINCT (account_id, service_id, supplier_id, service_month)) FROM charge_lines"));
        var today = DemoYear.Current.FirstDay.AddDays(19);
        var books = await DebtLedger.LoadAsync(conn, accounts, lockAccounts: false, Ct);
        var all = await DebtLedger.LoadAsync(conn, accounts, lockAccounts: false, allHistory: true, Ct);
        int debtors = 0;
        foreach (long account in accounts)
        {
            var (a, b) = (Text(books.Book(account, today)), Text(all.Book(account, today)));
            a.ShouldBe(b, $"account {account}");
            if (all.Book(account, today).Debt > 0) debtors++;
        }
        debtors.ShouldBeGreaterThan(0);

        // The open month charged and paid into, on a copy of the year.
        await conn.CloseAsync();
        var copy = await cluster.CopyDatabaseAsync(Cs, "books");
        var clock = TestClock.On(2026, 11, 20);
        await ChargeAndPayAsync(copy, clock, "books", 700m, 150m, 19);
        await using var copied = new NpgsqlConnection(copy);
        await copied.OpenAsync(Ct);
        books = await DebtLedger.LoadAsync(copied, accounts, lockAccounts: false, Ct);
        all = await DebtLedger.LoadAsync(copied, accounts, lockAccounts: false, allHistory: true, Ct);
        foreach (long account in accounts)
            Text(books.Book(account, today)).ShouldBe(Text(all.Book(account, today)), $"account {account}, the open month charged and paid into");

        static string Text(AccountDebts d) => string.Join("\n",
            d.Positions(PaymentPosting.DueDate).Select(p => p.ToString())
                .Concat(d.Chunks.Where(c => c.Outstanding != 0).Select(c => $"{c.ServiceId}|{c.SupplierId}|{c.Month}|{c.IsPenalty}|{c.Outstanding}"))
                .Concat(d.Advances.Select(x => x.ToString())).Concat(d.AdvanceWeights.Select(w => w.ToString()))
                .Append($"debt {d.Debt}, advance {d.Advance}"));
    }

    /// <summary>
    /// A penalty run read from the closed month's books and what was booked since posts what a run over all history
    /// posts, line by line (amount, principal, rate and trace), on the year the demo lived with such runs every month — a
    /// part of a penalty left unposted in any month would show as a line of the run over all history — and again after
    /// the open month is charged and paid into, an old payment is reversed (a settled chunk opened again), an old month
    /// is corrected and a first run is posted; the books' run looks at fewer chunks.
    /// </summary>
    [Fact]
    public async Task Penalties_from_the_closed_month_books_are_the_penalties_of_all_history()
    {
        var copy = await cluster.CopyDatabaseAsync(Cs, "penalties");
        var clock = TestClock.On(2026, 11, 20);
        await SameAsync(new DateOnly(2026, 11, 20), expectLines: true);

        await ChargeAndPayAsync(copy, clock, "pen", 500m, 300m, 18);
        // A payment of the year's third month reversed: the chunks it settled owe again from their due dates.
        long old = await Sql.ScalarAsync<long>(copy, $"""
            SELECT min(payment_id) FROM payment_allocations WHERE booking_month = {Day(DemoYear.Closed[2])} AND kind = 0 AND amount > 0
            """);
        await PaymentCorrections.ReverseAsync(copy, old, "ошибка банка", new PostingOptions("тест", clock), ct: Ct);
        var corrected = await ColumnAsync<long>($"SELECT account_id FROM charge_lines WHERE kind = 0 AND service_month = {Day(DemoYear.Closed[1])} ORDER BY account_id DESC LIMIT 1");
        var (service, supplier) = await ServiceOfAsync(copy, corrected[0]);
        await Recalculations.PostCorrectionAsync(copy, DemoYear.Current, corrected[0], service, supplier, DemoYear.Closed[1], 350m, "проверка", "тест", clock, Ct);
        await SameAsync(new DateOnly(2026, 11, 20), expectLines: true, copy);
        (await PenaltyPosting.PostAsync(copy, DemoYear.Current, new DateOnly(2026, 11, 20), clock, "тест", ct: Ct)).Lines.ShouldBeGreaterThan(0);
        await SameAsync(new DateOnly(2026, 11, 30), expectLines: true, copy);

        async Task SameAsync(DateOnly on, bool expectLines, string? cs = null)
        {
            cs ??= Cs;
            var books = await PenaltyPosting.RunAsync(cs, DemoYear.Current, on, clock, "тест", null, null, allHistory: false, dryRun: true, Ct);
            var all = await PenaltyPosting.RunAsync(cs, DemoYear.Current, on, clock, "тест", null, null, allHistory: true, dryRun: true, Ct);
            Text(books.Lines).ShouldBe(Text(all.Lines), $"on {on}");
            books.Report.Posted.ShouldBe(all.Report.Posted);
            books.Report.Chunks.ShouldBeLessThan(all.Report.Chunks);
            if (expectLines) books.Lines.Count.ShouldBeGreaterThan(0);
        }

        static string Text(IReadOnlyList<PostedLine> lines) => string.Join("\n", lines.Select(l => FormattableString.Invariant(
            $"{l.Line.AccountId}|{l.BuildingId}|{l.ServiceId}|{l.Line.SupplierId}|{l.Line.Period}|{l.Line.Volume}|{l.Line.Rate}|{l.Line.Amount.Amount}|{l.Line.Trace?.Note}|{string.Join(";", l.Line.Trace?.Inputs.Select(i => i.Value) ?? [])}|{l.Line.Trace?.Segments.Count}")).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The migration that dates the books' allocations, taken back and applied again on the year: back, the books have one
    /// row per chunk again and still give every account's debt book of all history; again, they are the books the closings
    /// wrote, row for row.
    /// </summary>
    [Fact]
    public async Task The_dated_debt_books_migration_goes_back_and_forth_on_a_year()
    {
        var copy = await cluster.CopyDatabaseAsync(Cs, "dated_books");
        const string Books = """
            SELECT string_agg(concat_ws('|', month, account_id, service_id, supplier_id, service_month, kind, charged, allocated, paid_on), E'\n'
                              ORDER BY month, account_id, service_id, supplier_id, service_month, kind, paid_on)
            FROM debt_books
            """;
        var written = await Sql.ScalarAsync<string>(copy, Books);
        (await Sql.ScalarAsync<long>(copy, "SELECT count(*) FROM penalty_runs")).ShouldBeGreaterThan(0);
        await using var db = new Storage.OpenErcDbContext(Storage.OpenErcDatabase.Options(copy), TestClock.On(2026, 11, 20));
        var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db);

        await migrator.MigrateAsync("20261209010000_PremiseFlatIndex", Ct);
        (await Sql.ScalarAsync<long>(copy, "SELECT count(*) FROM pg_tables WHERE tablename = 'penalty_runs'")).ShouldBe(0);
        (await Sql.ScalarAsync<long>(copy, """
            SELECT count(*) FROM (SELECT 1 FROM debt_books GROUP BY month, account_id, service_id, supplier_id, service_month, kind HAVING count(*) > 1) x
            """)).ShouldBe(0);
        await using (var conn = new NpgsqlConnection(copy))
        {
            await conn.OpenAsync(Ct);
            var accounts = (await ColumnAsync<long>("SELECT id FROM personal_accounts ORDER BY id")).ToArray();
            var books = await DebtLedger.LoadAsync(conn, accounts, lockAccounts: false, Ct);
            var all = await DebtLedger.LoadAsync(conn, accounts, lockAccounts: false, allHistory: true, Ct);
            var today = DemoYear.Current.FirstDay.AddDays(19);
            foreach (long account in accounts)
                books.Book(account, today).Debt.ShouldBe(all.Book(account, today).Debt, $"account {account}");
        }

        await migrator.MigrateAsync(null, Ct);
        (await Sql.ScalarAsync<string>(copy, Books)).ShouldBe(written);
    }

    /// <summary>
    /// The year's details as the run and every posting wrote them by column are what the migration makes of the same
    /// lines by line (down and up again gives the same text, byte for byte), and the view reads every line the same in
    /// both forms; the narrow lines' account and building are integers and survive both ways.
    /// </summary>
    [Fact]
    public async Task Details_by_column_are_what_the_migration_writes_from_them_by_line()
    {
        var copy = await cluster.CopyDatabaseAsync(Cs, "compact_ledger");
        const string Rows = """
            SELECT md5(string_agg(concat_ws('|', booking_month, building_id, run_id, regular, reason, posted_by, account_id, service_id, supplier_id, zone,
                                            kind, service_month, volume, unit, rate, coefficient, day_factor, source, unrounded, amount, trace_template,
                                            trace_values), E'\n'
                                  ORDER BY booking_month, building_id, run_id, account_id, service_id, supplier_id, zone, kind, service_month))
            FROM charge_line_details
            """;
        const string Data = "SELECT md5(string_agg(data, E'\f' ORDER BY booking_month, building_id, run_id)) FROM charge_details";
        const string Lines = """
            SELECT md5(string_agg(concat_ws('|', account_id, building_id, kopecks, booking_month, service_month, service_id, supplier_id, run_id, zone, kind), E'\n'
                                  ORDER BY booking_month, building_id, run_id, account_id, service_id, supplier_id, zone, kind, service_month))
            FROM charge_lines
            """;
        var (rows, data, lines) = (await Sql.ScalarAsync<string>(copy, Rows), await Sql.ScalarAsync<string>(copy, Data), await Sql.ScalarAsync<string>(copy, Lines));
        (await Sql.ScalarAsync<long>(copy, "SELECT count(*) FROM charge_line_details WHERE kind <> 0")).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(copy, "SELECT count(*) FROM charge_line_details WHERE trace_values ~ '[vr]'")).ShouldBe(0);
        (await Sql.ScalarAsync<long>(copy, "SELECT count(*) FROM charge_details WHERE data !~ 'v'")).ShouldBeLessThan(
            await Sql.ScalarAsync<long>(copy, "SELECT count(*) FROM charge_details"), "trace values are written as the line's volume");
        (await Sql.ScalarAsync<string>(copy, """
            SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attname) FROM pg_attribute
            WHERE attrelid = 'charge_lines'::regclass AND attname IN ('account_id', 'building_id')
            """)).ShouldBe("integer,integer");
        await using var db = new Storage.OpenErcDbContext(Storage.OpenErcDatabase.Options(copy), TestClock.On(2026, 11, 20));
        var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db);

        await migrator.MigrateAsync("20261231040000_DebtorMonths", Ct);
        (await Sql.ScalarAsync<string>(copy, Rows)).ShouldBe(rows);
        (await Sql.ScalarAsync<string>(copy, Lines)).ShouldBe(lines);
        (await Sql.ScalarAsync<long>(copy, "SELECT count(*) FROM charge_details WHERE data ~ '(^|\t)[vr](\t|$)'")).ShouldBe(0);

        await migrator.MigrateAsync(null, Ct);
        (await Sql.ScalarAsync<string>(copy, Data)).ShouldBe(data);
        (await Sql.ScalarAsync<string>(copy, Rows)).ShouldBe(rows);
        (await Sql.ScalarAsync<string>(copy, Lines)).ShouldBe(lines);
    }

    [Fact]
    public async Task Balances_and_debt_books_move_into_monthly_partitions_and_back_unchanged()
    {
        var copy = await cluster.CopyDatabaseAsync(Cs, "monthly_books");
        const string Balances = """
            SELECT md5(string_agg(concat_ws('|', month, account_id, service_id, supplier_id, opening, charged, recalculated, penalties, paid, closing, benefits), E'\n'
                                  ORDER BY month, account_id, service_id, supplier_id))
            FROM account_balances
            """;
        const string Books = """
            SELECT md5(string_agg(concat_ws('|', month, account_id, service_id, supplier_id, service_month, kind, charged, allocated, paid_on, paid_days, paid_amounts), E'\n'
                                  ORDER BY month, account_id, service_id, supplier_id, service_month, kind, charged, allocated, paid_on))
            FROM debt_books
            """;
        const string Partitions = """
            SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent IN ('account_balances'::regclass, 'debt_books'::regclass)
            """;
        var (balances, books) = (await Sql.ScalarAsync<string>(copy, Balances), await Sql.ScalarAsync<string>(copy, Books));
        // Every closed month has its partition of each table, and nothing else does.
        const string Kinds = "SELECT string_agg(relkind::text, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('account_balances', 'debt_books')";
        var names = DemoYear.Closed.SelectMany(m => new[] { SqlMonths.Partition("account_balances", m), SqlMonths.Partition("debt_books", m) }).Order(StringComparer.Ordinal);
        (await Sql.ScalarAsync<string>(copy, Partitions)).ShouldBe(string.Join(",", names));
        await using var db = new Storage.OpenErcDbContext(Storage.OpenErcDatabase.Options(copy), TestClock.On(2026, 11, 20));
        var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db);

        await migrator.MigrateAsync("20261231060000_BuildingBookByKey", Ct);
        (await Sql.ScalarAsync<string>(copy, Kinds)).ShouldBe("r,r");
        (await Sql.ScalarAsync<string>(copy, Balances)).ShouldBe(balances);
        (await Sql.ScalarAsync<string>(copy, Books)).ShouldBe(books);

        await migrator.MigrateAsync(null, Ct);
        (await Sql.ScalarAsync<string>(copy, Kinds)).ShouldBe("p,p");
        (await Sql.ScalarAsync<string>(copy, Partitions)).ShouldBe(string.Join(",", names));
        (await Sql.ScalarAsync<string>(copy, Balances)).ShouldBe(balances);
        (await Sql.ScalarAsync<string>(copy, Books)).ShouldBe(books);
        // The primary key of the balances holds in every partition.
        await Should.ThrowAsync<PostgresException>(() => Sql.ExecAsync(copy, "INSERT INTO account_balances SELECT * FROM account_balances LIMIT 1"));
    }

    /// <summary>The open month charged on a copy of the year, and the first 20 open accounts paid into through the bank on a November day.</summary>
    private static async Task ChargeAndPayAsync(string copy, RegionClock clock, string prefix, decimal first, decimal step, int day)
    {
        (await BillingRun.RunAsync(copy, DemoYear.Current, BillingScope.All, new BillingRunOptions(clock), ct: Ct)).Lines.ShouldBeGreaterThan(0);
        long agent = await PaymentRegistries.FindAgentAsync(copy, DemoRegion.BankLogin, Ct) ?? throw new InvalidOperationException("no demo bank");
        var numbers = await Sql.ScalarAsync<string[]>(copy, "SELECT array_agg(number ORDER BY number) FROM (SELECT number FROM personal_accounts WHERE closed_on IS NULL ORDER BY number LIMIT 20) x");
        for (int i = 0; i < numbers.Length; i++)
            (await PaymentPosting.PostAsync(copy, PaymentPostingTests.Intake(agent, $"{prefix}-{i}", numbers[i], first + step * i) with
                { PaidAt = new DateTimeOffset(2026, 11, day, 12, 0, 0, TimeSpan.FromHours(3)) }, new PostingOptions("тест", clock), Ct)).Accepted.ShouldBeTrue();
    }

    private async Task<(string Service, long Supplier)> ServiceOfAsync(string cs, long account)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT s.code, l.supplier_id FROM charge_lines l JOIN services s ON s.id = l.service_id
            WHERE l.account_id = {account} AND l.service_month = {Day(DemoYear.Closed[1])} AND l.kind = 0 ORDER BY s.code LIMIT 1
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        (await r.ReadAsync(Ct)).ShouldBeTrue();
        return (r.GetString(0), r.GetInt64(1));
    }

    [Fact]
    public async Task The_months_before_the_current_one_are_closed_in_order_and_the_current_one_is_open_without_charges()
    {
        (await ColumnAsync<string>("SELECT to_char(month, 'YYYY-MM') || ' ' || state FROM billing_periods ORDER BY month"))
            .ShouldBe([.. DemoYear.Closed.Select(m => $"{m} closed"), "2026-11 open"]);
        // Each month was closed on its own last evening, so in the order of the months.
        var closedOn = await ColumnAsync<DateTime>("SELECT (closed_at AT TIME ZONE 'Europe/Moscow') FROM billing_periods WHERE state = 'closed' ORDER BY month");
        closedOn.Select(DateOnly.FromDateTime).ShouldBe(DemoYear.Closed.Select(m => m.End.AddDays(-1)));
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM charge_line_details WHERE booking_month >= {Day(DemoYear.Current)}")).ShouldBe(0);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM billing_runs WHERE month = {Day(DemoYear.Current)}")).ShouldBe(0);
        year.Result.History.ShouldNotBeNull().Months.ShouldBe(12);
    }

    /// <summary>
    /// What the closings wrote for the supplier's cabinet — totals by supplier × service and debtors by supplier — is
    /// what adding up the month's balances gives, for every supplier of every closed month.
    /// </summary>
    [Fact]
    public async Task A_closed_months_supplier_totals_and_debtors_are_its_balances_added_up()
    {
        var suppliers = await ColumnAsync<long>("SELECT DISTINCT supplier_id FROM account_balances WHERE supplier_id IN (SELECT id FROM organisations) ORDER BY 1");
        suppliers.Count.ShouldBeGreaterThan(3);
        int debtors = 0;
        foreach (var month in DemoYear.Closed.TakeLast(3))
            foreach (long supplier in suppliers)
            {
                var summary = await SupplierReports.SummaryAsync(Cs, supplier, month, Ct);
                summary.Closed.ShouldBeTrue($"{supplier} in {month}: {summary.Supplier}");
                var totals = await ColumnAsync<string>($"""
                    SELECT service_id || ' ' || sum(opening) || ' ' || sum(charged) || ' ' || sum(recalculated) || ' ' || sum(penalties)
                           || ' ' || sum(paid) || ' ' || sum(closing)
                    FROM account_balances WHERE month = {Day(month)} AND supplier_id = {supplier} GROUP BY service_id ORDER BY service_id
                    """);
                summary.Services.OrderBy(x => x.ServiceId)
                    .Select(x => FormattableString.Invariant($"{x.ServiceId} {x.Opening} {x.Charged} {x.Recalculated} {x.Penalties} {x.Paid} {x.Closing}"))
                    .ShouldBe(totals, $"{supplier} in {month}");

                var owing = await ColumnAsync<string>($"""
                    SELECT a.number || ' ' || sum(x.closing) FROM account_balances x JOIN personal_accounts a ON a.id = x.account_id
                    WHERE x.month = {Day(month)} AND x.supplier_id = {supplier}
                    GROUP BY a.number HAVING sum(x.closing) >= 100 ORDER BY sum(x.closing) DESC, a.number
                    """);
                var page = await SupplierReports.DebtorsAsync(Cs, supplier, month, 100m, 1, 10, Ct);
                page.Total.ShouldBe(owing.Count, $"{supplier} in {month}");
                page.Items.Select(x => FormattableString.Invariant($"{x.AccountNumber} {x.Debt}")).ShouldBe(owing.Take(10), $"{supplier} in {month}");
                debtors += owing.Count;
            }
        debtors.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Every_closed_month_has_charges_payments_from_every_channel_and_its_documents_issued()
    {
        foreach (var month in DemoYear.Closed)
        {
            (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM charge_line_details WHERE booking_month = {Day(month)} AND kind = 0"))
                .ShouldBeGreaterThan(500, $"charges of {month}");
            var channels = await ColumnAsync<short>($"SELECT DISTINCT channel FROM payments WHERE booking_month = {Day(month)} AND corrects IS NULL ORDER BY 1");
            channels.Select(c => (PaymentChannel)c).ShouldBe(
                [PaymentChannel.Registry, PaymentChannel.Sber, PaymentChannel.Osmp, PaymentChannel.CashDesk, PaymentChannel.Cabinet], $"channels of {month}");
            // One document per account with balances in the month, none twice.
            (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM receipts WHERE month = {Day(month)}")).ShouldBe(
                await Sql.ScalarAsync<long>(Cs, $"SELECT count(DISTINCT account_id) FROM account_balances WHERE month = {Day(month)}"), $"documents of {month}");
        }
        // The cash desk's shifts are closed, and its payments were taken in them.
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM cash_shifts WHERE state = 'open'")).ShouldBe(0);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payments WHERE channel = {(short)PaymentChannel.CashDesk} AND shift_id IS NULL")).ShouldBe(0);
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM cabinet_orders WHERE state <> 'paid'")).ShouldBe(0);
    }

    [Fact]
    public async Task Readings_come_from_the_cabinet_operators_and_banks_with_gaps_that_averages_and_norms_fill()
    {
        foreach (var month in DemoYear.Closed)
        {
            var sources = await ColumnAsync<int>($"""
                SELECT DISTINCT source FROM meter_readings WHERE read_on >= {Day(month)} AND read_on < {Day(month.Next())} ORDER BY 1
                """);
            sources.ShouldContain((int)ReadingSource.Cabinet);
            sources.ShouldContain((int)ReadingSource.Operator);
            sources.ShouldContain((int)ReadingSource.Bank);
        }
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM charge_line_details WHERE kind = 0 AND source = {(short)VolumeSource.Average}")).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(Cs, $"""
            SELECT count(*) FROM charge_line_details l JOIN services s ON s.id = l.service_id
            WHERE l.kind = 0 AND l.source = {(short)VolumeSource.Norm} AND s.code IN ('cold_water', 'hot_water', 'electricity')
            """)).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Retroactive_changes_are_recalculated_an_interruption_reduces_the_charge_and_penalties_accrue()
    {
        async Task<long> Lines(ChargeLineKind kind) => await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM charge_line_details WHERE kind = {(short)kind}");
        (await Lines(ChargeLineKind.Recalculation)).ShouldBeGreaterThan(0);
        (await Lines(ChargeLineKind.QualityReduction)).ShouldBeGreaterThan(0);
        (await Lines(ChargeLineKind.Penalty)).ShouldBeGreaterThan(0);
        // The changes went through the registry: archived, queued and processed (nothing is left waiting).
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM incidents")).ShouldBeGreaterThanOrEqualTo(12);
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM audit_entries WHERE entity_type = 'ResidentCount'")).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM recalculation_queue")).ShouldBe(0);
    }

    [Fact]
    public async Task Chronic_debtors_owe_for_more_than_three_months_and_overpayers_keep_advances()
    {
        // A closing debt larger than everything billed in the last three months is, in part, older than three months.
        (await Sql.ScalarAsync<long>(Cs, """
            WITH last AS (SELECT account_id, sum(closing) AS debt FROM account_balances WHERE month = '2026-10-01' GROUP BY 1),
                 recent AS (SELECT account_id, sum(charged + recalculated + penalties) AS billed FROM account_balances
                            WHERE month >= '2026-08-01' GROUP BY 1)
            SELECT count(*) FROM last JOIN recent USING (account_id) WHERE debt > billed
            """)).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(Cs, """
            SELECT count(*) FROM (SELECT account_id FROM account_balances WHERE month = '2026-10-01' GROUP BY 1 HAVING sum(closing) < 0) a
            """)).ShouldBeGreaterThan(0);
        // Most accounts pay: the year's payments are most of what it billed.
        var history = year.Result.History.ShouldNotBeNull();
        history.Paid.ShouldBeGreaterThan(history.Charged * 0.75m);
        history.Paid.ShouldBeLessThan(history.Charged);

        // The legal work on them: claims filed for debts over three months' charge, orders in force two months on (some
        // with a repayment agreement), notices that a service may be limited; the debtors register prints the court status.
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM debt_claims WHERE stage = {(int)Core.Accounts.DebtClaimStage.Filed}")).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM debt_claims WHERE stage = {(int)Core.Accounts.DebtClaimStage.CourtOrder} AND in_force_on >= filed_on + 59"))
            .ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM debt_claims WHERE agreement_on IS NOT NULL")).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM limitation_notices")).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM debt_claims c WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.entity_type = 'DebtClaim' AND a.entity_id = c.id)"))
            .ShouldBe(0);
    }

    [Fact]
    public async Task Suppliers_get_their_transfers_and_the_suspense_queue_is_worked()
    {
        // Prepared and sent on working days, confirmed by the bank's statement the working day after.
        (await ColumnAsync<string>("SELECT DISTINCT state FROM supplier_transfers WHERE day < '2026-10-20' ORDER BY 1")).ShouldBe(["confirmed"]);
        // Transfers start once the first month's advances are split by its charges, and go on every month after it.
        (await ColumnAsync<string>("SELECT DISTINCT to_char(day, 'YYYY-MM') FROM supplier_transfers ORDER BY 1"))
            .ShouldBe(DemoYear.Closed.Select(m => m.ToString()).ToList());
        (await Sql.ScalarAsync<decimal>(Cs, "SELECT sum(net) FROM supplier_transfers")).ShouldBeGreaterThan(0m);
        // A mistyped account number a month: resolved by the finance officer, the last one still waiting.
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM payments WHERE correction = 'resolution'")).ShouldBe(11);
        (await Sql.ScalarAsync<long>(Cs, """
            SELECT count(*) FROM payments p WHERE p.account_id IS NULL AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.corrects = p.id)
            """)).ShouldBe(1);
        (await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM payments WHERE correction = 'reversal' AND shift_id IS NOT NULL")).ShouldBe(12);
    }

    [Fact]
    public async Task The_balance_equation_holds_for_every_account_and_month()
    {
        (await Sql.ScalarAsync<long>(Cs, """
            SELECT count(*) FROM account_balances b
            LEFT JOIN account_balances p ON p.account_id = b.account_id AND p.service_id = b.service_id AND p.supplier_id = b.supplier_id
                                        AND p.month = (b.month - interval '1 month')::date
            WHERE b.opening + b.charged + b.recalculated + b.penalties - b.paid <> b.closing OR b.opening <> coalesce(p.closing, 0)
            """)).ShouldBe(0);
        (await Sql.ScalarAsync<decimal>(Cs, "SELECT sum(charged + recalculated + penalties) FROM account_balances"))
            .ShouldBe(await Sql.ScalarAsync<decimal>(Cs, "SELECT sum(amount) FROM charge_line_details"));
    }

    [Fact]
    public async Task The_same_seed_and_month_give_the_same_ledger()
    {
        var again = await cluster.CreateDatabaseAsync("year");
        await DemoRegion.GenerateAsync(again, DemoYear.Options, ct: Ct);
        (await DigestAsync(again)).ShouldBe(await DigestAsync(Cs));
    }

    /// <summary>Counts and sums of every table the history writes (ids, receipt numbers and cabinet codes aside).</summary>
    private static async Task<Dictionary<string, string>> DigestAsync(string cs)
    {
        (string Table, string Sql)[] digests =
        [
            ("billing_periods", "SELECT string_agg(month || state || closed_at, ',' ORDER BY month) FROM billing_periods"),
            ("charge_line_details", "SELECT count(*) || ' ' || sum(amount) || ' ' || sum(volume) || ' ' || string_agg(DISTINCT kind::text, ',') FROM charge_line_details"),
            ("payments", "SELECT count(*) || ' ' || sum(amount) || ' ' || sum(commission) || ' ' || sum(channel) || ' ' || min(paid_at) || max(posted_at) FROM payments"),
            ("payment_allocations", "SELECT count(*) || ' ' || sum(amount) || ' ' || sum(commission) FROM payment_allocations"),
            ("account_balances", "SELECT count(*) || ' ' || sum(opening) || ' ' || sum(paid) || ' ' || sum(closing) FROM account_balances"),
            ("receipts", "SELECT count(*) || ' ' || sum(to_pay) || ' ' || sum(closing) || ' ' || string_agg(DISTINCT issued_on::text, ',') FROM receipts"),
            ("supplier_transfers", "SELECT count(*) || ' ' || sum(net) || ' ' || string_agg(DISTINCT state, ',') || ' ' || max(confirmed_at) FROM supplier_transfers"),
            ("cash_shifts", "SELECT count(*) || ' ' || min(opened_at) || ' ' || max(closed_at) FROM cash_shifts"),
            ("cabinet_orders", "SELECT count(*) || ' ' || sum(amount) || ' ' || md5(string_agg(id::text, ',' ORDER BY id)) FROM cabinet_orders"),
            ("incidents", "SELECT count(*) || ' ' || md5(string_agg(building_id || started_at::text || ended_at::text, ',' ORDER BY id)) FROM incidents"),
            ("resident_counts", "SELECT count(*) || ' ' || sum(count) FROM resident_counts"),
            ("meter_readings", "SELECT count(*) || ' ' || sum(value) FROM meter_readings"),
        ];
        var result = new Dictionary<string, string>();
        foreach (var (table, sql) in digests) result[table] = await Sql.ScalarAsync<string>(cs, sql);
        return result;
    }
}
