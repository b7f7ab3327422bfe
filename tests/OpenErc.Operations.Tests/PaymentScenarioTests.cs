using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;
using OpenErc.Exchange.Registries;

namespace OpenErc.Operations.Tests;

/// <summary>
/// Months of life with payments from several channels: a bank online (commission from the recipients), a payment
/// agent's registry (commission from the payer), the centre's cash desk, a misposted payment moved, a suspense payment
/// resolved, an overpayment carried as an advance. Every month's balances satisfy the equation, every account's last
/// closing is what the ledger charged minus what was allocated, and the suppliers' transfers are the allocations minus
/// the commissions.
/// </summary>
public sealed class PaymentScenarioTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod May = new(2026, 5), June = new(2026, 6), July = new(2026, 7);

    [Fact]
    public async Task Balances_hold_for_every_account_and_transfers_equal_allocations_minus_commissions()
    {
        var cs = await cluster.CreateDatabaseAsync("pay_scenario");
        var (flat, number, parties) = await OneFlatRegion.ChargedWithAgentsAsync(cs, Ct);
        var neighbour = new PersonalAccount { Number = AccountNumber.Create(2), PremiseId = flat.PremiseId, PayerPersonId = flat.PersonId, OpenedOn = new DateOnly(2026, 6, 1) };
        await OneFlatRegion.RegisterAsync(cs, "тест", Ct, neighbour);
        var clock = FixedClock.On(new DateOnly(2026, 6, 1));
        var options = new PostingOptions("финансист", Clock: clock.Region);
        var from2026 = new DateOnly(2026, 1, 1);
        await AgentTermsBook.AddAsync(cs, new AgentTerms(parties.BankId, from2026, 1.2m, CommissionPayer.Recipient), "тест", clock.Region.Now, Ct);
        await AgentTermsBook.AddAsync(cs, new AgentTerms(parties.AgentId, from2026, 1.5m, CommissionPayer.Payer), "тест", clock.Region.Now, Ct);
        DateTimeOffset At(int month, int day) => new(2026, month, day, 9, 30, 0, TimeSpan.FromHours(3));

        // June 2: the bank online, 1 000 ₽ with 12.00 ₽ commission taken from the recipients.
        clock.Set(new DateOnly(2026, 6, 2));
        var online = await PaymentPosting.PostAsync(cs, new PaymentIntake(parties.BankId, "SB-1", PaymentChannel.Sber, number, 1000m, At(6, 2)), options, Ct);
        online.Outcome.ShouldBe(PostingOutcome.Posted);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT commission FROM payments WHERE id = {online.PaymentId}")).ShouldBe(12.00m);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(commission) FROM payment_allocations WHERE payment_id = {online.PaymentId}")).ShouldBe(12.00m);

        // June 4: the cash desk, 700 ₽ paid for May by the payer's choice.
        clock.Set(new DateOnly(2026, 6, 4));
        var shift = await CashDesk.OpenShiftAsync(cs, "кассир", "Касса 1", options, Ct);
        var cash = await CashDesk.PayAsync(cs, shift.Id, new CashPayment("form-1", number, 700m, May), options, Ct);
        cash.Outcome.ShouldBe(PostingOutcome.Posted);
        await CashDesk.CloseShiftAsync(cs, shift.Id, options, Ct);

        // June 8: the agent's registry file (Windows-1251); one line to the neighbour by mistake, one to an unknown account.
        clock.Set(new DateOnly(2026, 6, 8));
        string Line(string op, string account, string amount) => $"07-06-2026;09-30-00;8593;8593/0001;{op};{account};Иванов Иван Иванович;ул. Ленина, д. 5;;{amount};";
        var file = RegistryParser.Windows1251.GetBytes(string.Join("\r\n",
            Line("R-1", number, "500,00"), Line("R-2", neighbour.Number, "250,00"), Line("R-3", AccountNumber.Create(5555), "150,00"), "=3;900,00") + "\r\n");
        var registry = await PaymentRegistries.ImportAsync(cs, parties.AgentId, "agent-0706.txt", file, options, Ct);
        registry.Errors.ShouldBeEmpty();
        registry.Registry.Suspense.ShouldBe(1);
        var lines = await Sql.ScalarAsync<long[]>(cs, "SELECT array_agg(id ORDER BY agent_payment_id) FROM payments WHERE agent_payment_id IN ('R-1', 'R-2', 'R-3')");
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT commission FROM payments WHERE id = {lines[0]}")).ShouldBe(7.50m);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT coalesce(sum(commission), 0) FROM payment_allocations WHERE payment_id = {lines[0]}")).ShouldBe(0m);

        // June 9: the misposted line moves to the right account; the suspense line is found by its address.
        clock.Set(new DateOnly(2026, 6, 9));
        await PaymentCorrections.MoveAsync(cs, lines[1], number, "плательщик ошибся в номере", options, Ct);
        await PaymentCorrections.ResolveAsync(cs, lines[2], number, "найден по адресу", options, Ct);

        (await BillingRun.RunAsync(cs, June, BillingScope.All, new BillingRunOptions(clock.Region), ct: Ct)).Failures.ShouldBeEmpty();
        clock.Set(new DateOnly(2026, 7, 1));
        await BillingPeriods.CloseAsync(cs, June, clock.Region, "тест", Ct);

        // July 3: an overpayment of 20 000 ₽ online becomes an advance that July's charges consume.
        clock.Set(new DateOnly(2026, 7, 3));
        var over = await PaymentPosting.PostAsync(cs, new PaymentIntake(parties.BankId, "SB-2", PaymentChannel.Sber, number, 20000m, At(7, 3)), options, Ct);
        over.Outcome.ShouldBe(PostingOutcome.Posted);
        (await BillingRun.RunAsync(cs, July, BillingScope.All, new BillingRunOptions(clock.Region), ct: Ct)).Failures.ShouldBeEmpty();
        clock.Set(new DateOnly(2026, 8, 1));
        await BillingPeriods.CloseAsync(cs, July, clock.Region, "тест", Ct);

        // The balance equation for every account × service × supplier × month, and the opening of each month is the last closing.
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM account_balances WHERE opening + charged + recalculated + penalties - paid <> closing")).ShouldBe(0);
        (await Sql.ScalarAsync<long>(cs, """
            SELECT count(*) FROM account_balances b JOIN account_balances p
              ON p.account_id = b.account_id AND p.service_id = b.service_id AND p.supplier_id = b.supplier_id AND p.month = b.month - interval '1 month'
            WHERE b.opening <> p.closing
            """)).ShouldBe(0);
        // Each account's July closing = everything charged − everything allocated; paid over the months = the money received.
        foreach (var account in new[] { flat.AccountId, neighbour.Id })
        {
            decimal charged = await Sql.ScalarAsync<decimal>(cs, $"SELECT coalesce(sum(amount), 0) FROM charge_line_details WHERE account_id = {account}");
            decimal allocated = await Sql.ScalarAsync<decimal>(cs, $"SELECT coalesce(sum(amount), 0) FROM payment_allocations WHERE account_id = {account}");
            (await Sql.ScalarAsync<decimal>(cs, $"SELECT coalesce(sum(closing), 0) FROM account_balances WHERE account_id = {account} AND month = '2026-07-01'"))
                .ShouldBe(charged - allocated);
        }
        decimal received = 1000m + 700m + 500m + 250m + 150m + 20000m;
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(paid) FROM account_balances")).ShouldBe(received);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(amount) FROM payment_allocations")).ShouldBe(received);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(amount) FROM payment_allocations WHERE account_id = " + neighbour.Id)).ShouldBe(0m);
        // The overpayment left an advance: July's closing is in credit.
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(closing) FROM account_balances WHERE account_id = {flat.AccountId} AND month = '2026-07-01'")).ShouldBeLessThan(0m);

        // Transfers: every day with receipts prepared; per supplier, the transfers are the allocations minus the commissions.
        (await Sql.ScalarAsync<string>(cs, "SELECT string_agg(DISTINCT received_on::text, ',') FROM payment_allocations WHERE supplier_id IS NOT NULL"))
            .ShouldBe("2026-06-02,2026-06-04,2026-06-08,2026-06-09,2026-07-03");
        foreach (var day in new[] { 2, 4, 8, 9 }) await SupplierTransfers.PrepareAsync(cs, new DateOnly(2026, 6, day), options, ct: Ct);
        await SupplierTransfers.PrepareAsync(cs, new DateOnly(2026, 7, 3), options, ct: Ct);
        (await Sql.ScalarAsync<long>(cs, """
            SELECT count(*) FROM (SELECT supplier_id, sum(amount) - sum(commission) AS net FROM payment_allocations WHERE supplier_id IS NOT NULL GROUP BY 1) a
            FULL JOIN (SELECT supplier_id, sum(net) AS net FROM supplier_transfers GROUP BY 1) t USING (supplier_id)
            WHERE a.net IS DISTINCT FROM t.net
            """)).ShouldBe(0);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(commission) FROM supplier_transfers")).ShouldBe(12.00m + 240.00m);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(net) FROM supplier_transfers")).ShouldBe(received - 252.00m);
    }
}
