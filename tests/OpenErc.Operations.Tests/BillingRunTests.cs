using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>The billing run and month closing on a small demo region (ARCHITECTURE.md §5–6).</summary>
public sealed class BillingRunTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod Month = new(2026, 11);
    private const int Accounts = 300;

    private async Task<string> RegionAsync()
    {
        var cs = await cluster.CreateDatabaseAsync("billing");
        await DemoRegion.GenerateAsync(cs, new DemoOptions(Accounts, 42, Month), ct: Ct);
        return cs;
    }

    private static Task<BillingRunReport> RunAsync(string cs, BillingScope? scope = null, int batch = 50, int parallel = 2, bool dry = false,
        IProgress<BillingProgress>? progress = null, CancellationToken? ct = null) =>
        BillingRun.RunAsync(cs, Month, scope ?? BillingScope.All, new BillingRunOptions(Clock, batch, parallel, dry), progress, ct ?? Ct);


    /// <summary>md5 of every line's content except the run id, in key order: equal digests mean the same ledger.</summary>
    private static Task<string> LinesDigestAsync(string cs) => Sql.ScalarAsync<string>(cs, """
        SELECT md5(coalesce(string_agg(concat_ws('|', booking_month, service_month, account_id, building_id, service_id, supplier_id, zone, kind,
                   volume, unit, rate, coefficient, day_factor, source, unrounded, amount, reason, trace_template, trace_values), E'\n'
               ORDER BY booking_month, account_id, service_id, supplier_id, zone, kind, service_month), ''))
        FROM charge_line_details
        """);

    private sealed class CancelAfter(CancellationTokenSource cts, int buildings) : IProgress<BillingProgress>
    {
        public void Report(BillingProgress value)
        {
            if (value.Buildings >= buildings) cts.Cancel();
        }
    }

    [Fact]
    public async Task Run_charges_almost_every_open_account_and_the_report_adds_up_to_the_lines()
    {
        var cs = await RegionAsync();
        var report = await RunAsync(cs);

        long open = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM personal_accounts WHERE opened_on < '2026-12-01' AND (closed_on IS NULL OR closed_on > '2026-11-01')");
        long charged = await Sql.ScalarAsync<long>(cs, "SELECT count(DISTINCT account_id) FROM charge_line_details");
        report.Failures.ShouldBeEmpty(string.Join("; ", report.Failures.Select(f => $"{f.BuildingId}: {f.Error}")));
        charged.ShouldBeGreaterThanOrEqualTo(open * 95 / 100);
        report.Accounts.ShouldBe(charged);
        report.Lines.ShouldBe(await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details"));
        report.Total.ShouldBe(await Sql.ScalarAsync<decimal>(cs, "SELECT sum(amount) FROM charge_line_details"));
        report.ByServiceAndSupplier.Sum(s => s.Amount).ShouldBe(report.Total);
        report.Total.ShouldBeGreaterThan(0m);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details WHERE amount <> round(unrounded, 2)")).ShouldBe(0);
        (await Sql.ScalarAsync<string>(cs, "SELECT state FROM billing_runs")).ShouldBe("completed");

        // The same month again: every building is already posted, nothing new.
        var again = await RunAsync(cs);
        again.RunId.ShouldNotBe(report.RunId);
        again.Lines.ShouldBe(0);
        again.BuildingsAlreadyPosted.ShouldBe(report.BuildingsDone);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details")).ShouldBe(report.Lines);

        // A dry run recomputes and finds nothing to change; it writes no line.
        var dry = await RunAsync(cs, dry: true);
        dry.DryRun.ShouldBeTrue();
        dry.Total.ShouldBe(report.Total);
        dry.Difference!.Changed.ShouldBe(0);
        dry.Difference.New.ShouldBe(0);
        dry.Difference.Missing.ShouldBe(0);
        dry.Difference.Difference.ShouldBe(0m);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details")).ShouldBe(report.Lines);
    }

    [Fact]
    public async Task Every_posted_trace_reads_back_exactly_as_the_calculator_wrote_it()
    {
        var cs = await RegionAsync();
        await RunAsync(cs);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        var reference = await BillingReference.LoadAsync(conn, Month, Ct);
        var buildings = await Sql.ScalarAsync<long[]>(cs, "SELECT array_agg(DISTINCT building_id ORDER BY building_id) FROM charge_line_details");
        var computed = (await SnapshotLoader.LoadAsync(conn, reference, buildings, Month, Ct))
            .SelectMany(b => ChargeCalculator.Calculate(b.Snapshot!, Month, new ChargeSettings()))
            .Select(l => $"{l.AccountId}|{(int)l.Kind}|{(int)l.Zone}|{l.Amount.Amount}|{Text(l.Trace)}").Order(StringComparer.Ordinal).ToList();
        var read = new List<string>();
        foreach (var account in computed.Select(c => long.Parse(c[..c.IndexOf('|', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).Distinct())
            foreach (var month in await AccountCharges.LoadAsync(conn, account, Ct))
                read.AddRange(month.Lines.Select(l => $"{account}|{(int)l.Kind}|{(int)l.Zone}|{l.Amount}|{Text(l.Trace!)}"));
        read.Order(StringComparer.Ordinal).ShouldBe(computed);
        // Numbers inside the words (meter numbers, averaging periods) are values, not templates: a region shares few templates.
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_trace_templates")).ShouldBeLessThan(computed.Count / 20);

        static string Text(ChargeTrace t)
        {
            static string Inputs(IEnumerable<TraceInput> inputs) => string.Join(",", inputs.Select(i => $"{i.Name}={i.Value / 1.0000000000000000000000000000m}{i.Unit}"));
            return $"{t.Formula}|{t.LegalReference}|{Inputs(t.Inputs)}|{t.Note}|" + string.Join("/", t.Segments.Select(s =>
                $"{s.From}-{s.To};{s.DayFactor / 1.0000000000000000000000000000m};{s.Volume / 1.0000000000000000000000000000m};{s.Unrounded / 1.0000000000000000000000000000m};{Inputs(s.Inputs)}"));
        }
    }

    [Fact]
    public async Task Dry_run_before_a_run_reports_everything_as_new_and_writes_nothing()
    {
        var cs = await RegionAsync();
        var dry = await RunAsync(cs, dry: true);
        dry.Lines.ShouldBeGreaterThan(0);
        dry.Difference!.New.ShouldBe(dry.Lines);
        dry.Difference.Difference.ShouldBe(dry.Total);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details")).ShouldBe(0);
        var real = await RunAsync(cs);
        real.Total.ShouldBe(dry.Total);
        real.Lines.ShouldBe(dry.Lines);
    }

    [Fact]
    public async Task Batch_size_and_parallelism_do_not_change_the_lines()
    {
        var one = await RegionAsync();
        var many = await RegionAsync();
        var a = await RunAsync(one, batch: 1, parallel: 1);
        var b = await RunAsync(many, batch: 50, parallel: 2);
        b.Total.ShouldBe(a.Total);
        b.Lines.ShouldBe(a.Lines);
        (await LinesDigestAsync(many)).ShouldBe(await LinesDigestAsync(one));
    }

    [Fact]
    public async Task A_run_cut_off_midway_resumes_without_duplicates_and_with_the_same_totals()
    {
        var whole = await RegionAsync();
        var cut = await RegionAsync();
        var expected = await RunAsync(whole, batch: 2, parallel: 2);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await Should.ThrowAsync<OperationCanceledException>(() =>
            RunAsync(cut, batch: 1, parallel: 1, progress: new CancelAfter(cts, 1), ct: cts.Token));
        (await Sql.ScalarAsync<string>(cut, "SELECT state FROM billing_runs")).ShouldBe("running");
        long partial = await Sql.ScalarAsync<long>(cut, "SELECT count(*) FROM charge_line_details");
        partial.ShouldBeGreaterThan(0);
        partial.ShouldBeLessThan(expected.Lines);

        var resumed = await RunAsync(cut, batch: 2, parallel: 2);
        resumed.Resumed.ShouldBeTrue();
        resumed.RunId.ShouldBe(await Sql.ScalarAsync<long>(cut, "SELECT min(id) FROM billing_runs"));
        resumed.Total.ShouldBe(expected.Total);
        resumed.Lines.ShouldBe(expected.Lines);
        (await Sql.ScalarAsync<long>(cut, "SELECT count(*) FROM charge_line_details")).ShouldBe(expected.Lines);
        (await LinesDigestAsync(cut)).ShouldBe(await LinesDigestAsync(whole));
    }

    /// <summary>A real `openerc billing run` process killed with SIGKILL midway: the restart gives the totals of an uninterrupted run.</summary>
    [Fact]
    public async Task A_run_killed_midway_resumes_without_duplicates_and_with_the_same_totals()
    {
        var whole = await RegionAsync();
        var killed = await RegionAsync();
        var expected = await RunAsync(whole, batch: 2, parallel: 2);

        // Each building's commit takes a second here, so that the run is surely still going when it is killed: with a third
        // of a second, a full parallel test run once delayed the polling below until the run had finished.
        await Sql.ExecAsync(killed, """
            CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$;
            CREATE TRIGGER slow_down AFTER INSERT ON billing_run_buildings FOR EACH ROW EXECUTE FUNCTION slow_down();
            """);
        var cli = Path.Combine(AppContext.BaseDirectory, "openerc.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { cli, "--connection", killed, "billing", "run", "--month", Month.ToString(), "--batch", "1", "--parallel", "1" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using (var process = System.Diagnostics.Process.Start(psi)!)
        {
            _ = process.StandardOutput.ReadToEndAsync(Ct);
            _ = process.StandardError.ReadToEndAsync(Ct);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (await Sql.ScalarAsync<long>(killed, "SELECT count(*) FROM billing_run_buildings") < 2)
            {
                process.HasExited.ShouldBeFalse("the run finished or failed before it could be killed");
                (waited.Elapsed < TimeSpan.FromMinutes(2)).ShouldBeTrue("the run did not get going");
                await Task.Delay(50, Ct);
            }
            process.Kill(entireProcessTree: true); // SIGKILL: no cleanup of any kind
            await process.WaitForExitAsync(Ct);
        }
        (await Sql.ScalarAsync<string>(killed, "SELECT state FROM billing_runs")).ShouldBe("running");
        long partial = await Sql.ScalarAsync<long>(killed, "SELECT count(*) FROM charge_line_details");
        partial.ShouldBeGreaterThan(0);
        partial.ShouldBeLessThan(expected.Lines);

        await Sql.ExecAsync(killed, "DROP TRIGGER slow_down ON billing_run_buildings");
        var resumed = await RunAsync(killed, batch: 2, parallel: 2);
        resumed.Resumed.ShouldBeTrue();
        resumed.Total.ShouldBe(expected.Total);
        (await Sql.ScalarAsync<long>(killed, "SELECT count(*) FROM charge_line_details")).ShouldBe(expected.Lines);
        (await LinesDigestAsync(killed)).ShouldBe(await LinesDigestAsync(whole));
    }

    [Fact]
    public async Task A_failing_building_is_recorded_with_its_reason_and_can_be_run_alone()
    {
        var cs = await RegionAsync();
        // A building whose owners approved their own maintenance rate loses it: the calculator has no tariff to charge.
        long building = await Sql.ScalarAsync<long>(cs, "SELECT min(building_id) FROM tariffs WHERE building_id IS NOT NULL");
        await Sql.ExecAsync(cs, $"CREATE TABLE saved_tariffs AS SELECT * FROM tariffs WHERE building_id = {building}; DELETE FROM tariffs WHERE building_id = {building}");

        var report = await RunAsync(cs);
        var failure = report.Failures.ShouldHaveSingleItem();
        failure.BuildingId.ShouldBe(building);
        failure.Error.ShouldNotBeNullOrWhiteSpace();
        report.BuildingsFailed.ShouldBe(1);
        (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM charge_line_details WHERE building_id = {building}")).ShouldBe(0);
        (await BillingPeriods.StatusAsync(cs, Month, Ct)).OpenFailures.ShouldHaveSingleItem().BuildingId.ShouldBe(building);

        await Sql.ExecAsync(cs, "INSERT INTO tariffs SELECT * FROM saved_tariffs");
        var alone = await RunAsync(cs, BillingScope.Buildings([building]));
        alone.BuildingsInScope.ShouldBe(1);
        alone.BuildingsDone.ShouldBe(1);
        alone.Failures.ShouldBeEmpty();
        alone.Lines.ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM charge_line_details WHERE building_id = {building}")).ShouldBe(alone.Lines);
        (await BillingPeriods.StatusAsync(cs, Month, Ct)).OpenFailures.ShouldBeEmpty();

        // The whole region again posts nothing: the failed building is done now.
        (await RunAsync(cs)).Lines.ShouldBe(0);
    }

    /// <summary>
    /// The ledger's own guarantees, whatever the code does: a building's regular charge for a month is posted once (a
    /// second regular posting is a unique violation, through the run's path and in plain SQL), and every narrow line has
    /// its details line with the same amount in kopecks.
    /// </summary>
    [Fact]
    public async Task The_database_refuses_a_second_regular_charge_of_a_building_and_lines_match_their_details()
    {
        var cs = await RegionAsync();
        var run = await RunAsync(cs);
        (await Sql.ScalarAsync<long>(cs, """
            SELECT count(*) FROM charge_lines l FULL JOIN charge_line_details d
                USING (booking_month, building_id, run_id, account_id, service_id, supplier_id, zone, kind, service_month)
            WHERE l.kopecks IS DISTINCT FROM (d.amount * 100)::bigint
            """)).ShouldBe(0);
        (await Sql.ScalarAsync<long>(cs, "SELECT sum(lines) FROM charge_details")).ShouldBe(run.Lines);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(kopecks) * 0.01 FROM charge_details")).ShouldBe(run.Total);

        long building = await Sql.ScalarAsync<long>(cs, "SELECT min(building_id) FROM charge_details");
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        var reference = await BillingReference.LoadAsync(conn, Month, Ct);
        var snapshot = (await SnapshotLoader.LoadAsync(conn, reference, [building], Month, Ct)).Single().Snapshot!;
        var lines = ChargeCalculator.Calculate(snapshot, Month, new ChargeSettings())
            .Select(l => new PostedLine(building, reference.ServiceIds[l.ServiceCode], Month, run.RunId + 1, l)).ToList();
        await using (var tx = await conn.BeginTransactionAsync(Ct))
        {
            var refused = await Should.ThrowAsync<PostgresException>(() => ChargeLedger.AppendAsync(conn, Month, ChargeLedger.Encode(lines), Ct));
            refused.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        }
        var plain = await Should.ThrowAsync<PostgresException>(() => Sql.ExecAsync(cs, $"""
            INSERT INTO charge_details (booking_month, building_id, run_id, regular, lines, kopecks, data)
            SELECT booking_month, building_id, run_id + 1, true, lines, kopecks, data FROM charge_details WHERE building_id = {building}
            """));
        plain.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_lines")).ShouldBe(run.Lines);
    }

    [Fact]
    public async Task Closing_writes_balances_that_satisfy_the_equation_and_refuses_later_runs()
    {
        var cs = await RegionAsync();
        var run = await RunAsync(cs);
        var closing = await BillingPeriods.CloseAsync(cs, Month, Clock, "тест", Ct);

        (closing.Charged + closing.Recalculated).ShouldBe(run.Total);
        closing.Closing.ShouldBe(closing.Opening + closing.Charged + closing.Recalculated + closing.Penalties - closing.Paid);
        closing.Accounts.ShouldBe(run.Accounts);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM account_balances WHERE opening + charged + recalculated + penalties - paid <> closing")).ShouldBe(0);
        // Per account × service × supplier the balance holds exactly the lines.
        (await Sql.ScalarAsync<long>(cs, """
            SELECT count(*) FROM account_balances b FULL JOIN
                (SELECT account_id, service_id, supplier_id, sum(amount) AS amount FROM charge_line_details GROUP BY 1, 2, 3) l
                USING (account_id, service_id, supplier_id)
            WHERE coalesce(b.charged + b.recalculated, -1) <> coalesce(l.amount, -2)
            """)).ShouldBe(0);

        var refused = await Should.ThrowAsync<BillingException>(() => RunAsync(cs));
        refused.Message.ShouldContain("закрыт");
        (await Should.ThrowAsync<BillingException>(() => BillingPeriods.CloseAsync(cs, Month, Clock, "тест", Ct))).Message.ShouldContain("уже закрыт");
        (await BillingPeriods.StatusAsync(cs, Month, Ct)).State.ShouldBe("closed");

        // The next month opens with this month's closing.
        var next = Month.Next();
        await BillingRun.RunAsync(cs, next, BillingScope.All, new BillingRunOptions(Clock), ct: Ct);
        await BillingPeriods.CloseAsync(cs, next, Clock, "тест", Ct);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(opening) FROM account_balances WHERE month = '2026-12-01'")).ShouldBe(closing.Closing);
    }

    [Fact]
    public async Task Runs_by_municipality_and_manager_add_up_to_the_whole_region_and_a_second_run_of_the_month_waits_its_turn()
    {
        var whole = await RegionAsync();
        var parts = await RegionAsync();
        var expected = await RunAsync(whole);

        long municipality = await Sql.ScalarAsync<long>(parts, "SELECT min(id) FROM municipalities");
        long manager = await Sql.ScalarAsync<long>(parts, "SELECT min(organisation_id) FROM building_managements WHERE valid_to IS NULL");
        var first = await RunAsync(parts, BillingScope.Municipality(municipality));
        var second = await RunAsync(parts, BillingScope.ManagementCompany(manager));
        var rest = await RunAsync(parts);
        first.Lines.ShouldBeGreaterThan(0);
        rest.BuildingsAlreadyPosted.ShouldBe(first.BuildingsDone + second.BuildingsDone);
        (first.Total + second.Total + rest.Total).ShouldBe(expected.Total);
        (await LinesDigestAsync(parts)).ShouldBe(await LinesDigestAsync(whole));

        // Another process holds the month (a run or the closing in progress): the run refuses instead of racing it.
        await using var other = new NpgsqlConnection(parts);
        await other.OpenAsync(Ct);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({0x4F45_0000_0000L + 202611})", other))
            await take.ExecuteScalarAsync(Ct);
        (await Should.ThrowAsync<BillingException>(() => RunAsync(parts))).Message.ShouldContain("уже выполняется");
        (await Should.ThrowAsync<BillingException>(() => BillingPeriods.CloseAsync(parts, Month, Clock, "тест", Ct))).Message.ShouldContain("Идёт расчёт");
    }
}
