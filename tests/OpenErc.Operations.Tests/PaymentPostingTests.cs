using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>Posting payments: idempotent by (agent, agent's payment id), allocated over the ledger's debts, safe under concurrency.</summary>
public sealed class PaymentPostingTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod April = new(2026, 4);
    private static readonly BillingPeriod May = new(2026, 5);

    private Task<(string Cs, OneFlat Flat, long Agent, string Number, PostingOptions Options)> ChargedAsync(string name) => ChargedAsync(cluster, name);

    /// <summary>The one-flat region charged for April and May 2026, a payment agent, the account's number and posting options on 3 June 2026.</summary>
    internal static async Task<(string Cs, OneFlat Flat, long Agent, string Number, PostingOptions Options)> ChargedAsync(PostgresCluster cluster, string name)
    {
        var (cs, flat, number) = await OneFlatRegion.ChargedAprilAndMayAsync(cluster, name, Ct);
        return (cs, flat, flat.ManagerId, number, new PostingOptions("тест", Clock: TestClock.On(new DateOnly(2026, 6, 3))));
    }

    internal static PaymentIntake Intake(long agent, string key, string number, decimal amount, BillingPeriod? period = null) =>
        new(agent, key, PaymentChannel.Sber, number, amount, new DateTimeOffset(2026, 6, 2, 10, 0, 0, TimeSpan.FromHours(3)), period);

    private static Task<decimal> DebtAsync(string cs, long account, BillingPeriod month) => Sql.ScalarAsync<decimal>(cs,
        $"SELECT coalesce(sum(amount), 0) FROM charge_line_details WHERE account_id = {account} AND service_month = '{month.FirstDay:yyyy-MM-dd}'");

    [Fact]
    public async Task A_payment_pays_the_oldest_month_first_and_an_overpayment_becomes_an_advance()
    {
        var (cs, flat, agent, number, options) = await ChargedAsync("pay_alloc");
        decimal april = await DebtAsync(cs, flat.AccountId, April), may = await DebtAsync(cs, flat.AccountId, May);
        april.ShouldBeGreaterThan(0m);

        var first = await PaymentPosting.PostAsync(cs, Intake(agent, "1", number, april + 1.00m), options, Ct);
        first.Outcome.ShouldBe(PostingOutcome.Posted);
        first.AccountId.ShouldBe(flat.AccountId);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {first.PaymentId} AND service_month = '2026-04-01'")).ShouldBe(april);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {first.PaymentId} AND service_month = '2026-05-01'")).ShouldBe(1.00m);

        // The rest of May and 100 ₽ more: May closed, 100 ₽ advance split by May's charges.
        var second = await PaymentPosting.PostAsync(cs, Intake(agent, "2", number, may - 1.00m + 100m), options, Ct);
        second.Outcome.ShouldBe(PostingOutcome.Posted);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {second.PaymentId} AND kind = {(short)AllocationKind.Advance}")).ShouldBe(100m);
        (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM payment_allocations WHERE payment_id = {second.PaymentId} AND kind = {(short)AllocationKind.Advance} AND supplier_id IS NULL")).ShouldBe(0);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {flat.AccountId}")).ShouldBe(april + may + 100m);
    }

    [Fact]
    public async Task A_period_named_by_the_payer_is_paid_first()
    {
        var (cs, flat, agent, number, options) = await ChargedAsync("pay_period");
        var result = await PaymentPosting.PostAsync(cs, Intake(agent, "p", number, 100m, May), options, Ct);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {result.PaymentId} AND service_month = '2026-05-01'")).ShouldBe(100m);
    }

    [Fact]
    public async Task A_repeat_returns_the_original_and_different_content_under_the_same_key_is_a_conflict()
    {
        var (cs, _, agent, number, options) = await ChargedAsync("pay_repeat");
        var first = await PaymentPosting.PostAsync(cs, Intake(agent, "A-1", number, 500m), options, Ct);
        var again = await PaymentPosting.PostAsync(cs, Intake(agent, "A-1", number, 500m), options, Ct);
        again.Outcome.ShouldBe(PostingOutcome.Repeated);
        again.PaymentId.ShouldBe(first.PaymentId);
        again.PostedAt.ShouldBe(first.PostedAt);
        var conflict = await PaymentPosting.PostAsync(cs, Intake(agent, "A-1", number, 501m), options, Ct);
        conflict.Outcome.ShouldBe(PostingOutcome.Conflict);
        conflict.Message.ShouldBe($"Платёж с номером A-1 уже принят на другой счёт или сумму: ЛС {number}, 500.00 ₽");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(1);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(amount) FROM payment_allocations")).ShouldBe(500m);
    }

    [Fact]
    public async Task An_unknown_account_is_refused_online_and_waits_in_suspense_from_a_registry()
    {
        var (cs, _, agent, _, options) = await ChargedAsync("pay_unknown");
        var unknown = AccountNumber();
        var refused = await PaymentPosting.PostAsync(cs, Intake(agent, "u1", unknown, 10m), options, Ct);
        refused.Outcome.ShouldBe(PostingOutcome.UnknownAccount);
        refused.Message.ShouldBe($"Лицевой счёт {unknown} не найден");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(0);

        var suspense = await PaymentPosting.PostAsync(cs, Intake(agent, "u1", unknown, 10m), options with { AllowSuspense = true }, Ct);
        suspense.Outcome.ShouldBe(PostingOutcome.Suspense);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments WHERE account_id IS NULL")).ShouldBe(1);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payment_allocations")).ShouldBe(0);
    }

    private static string AccountNumber() => Core.Accounts.AccountNumber.Create(999_999);

    [Fact]
    public async Task The_same_payment_id_sent_50_times_at_once_posts_exactly_once()
    {
        var (cs, _, agent, number, options) = await ChargedAsync("pay_concurrent");
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            start.Wait(Ct);
            return await PaymentPosting.PostAsync(cs, Intake(agent, "SAME", number, 777.77m), options, Ct);
        }, Ct)).ToList();
        start.Set();
        var results = await Task.WhenAll(tasks);
        results.Count(r => r.Outcome == PostingOutcome.Posted).ShouldBe(1);
        results.Count(r => r.Outcome == PostingOutcome.Repeated).ShouldBe(49);
        results.Select(r => r.PaymentId).Distinct().Count().ShouldBe(1);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(1);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(amount) FROM payment_allocations")).ShouldBe(777.77m);
    }

    [Fact]
    public async Task Concurrent_payments_to_one_account_never_pay_the_same_debt_twice()
    {
        var (cs, flat, agent, number, options) = await ChargedAsync("pay_same_account");
        decimal debt = await DebtAsync(cs, flat.AccountId, April) + await DebtAsync(cs, flat.AccountId, May);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => PaymentPosting.PostAsync(cs, Intake(agent, $"k{i}", number, debt), options, Ct), Ct)));
        results.ShouldAllBe(r => r.Outcome == PostingOutcome.Posted);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE kind <> {(short)AllocationKind.Advance}")).ShouldBe(debt);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE kind = {(short)AllocationKind.Advance}")).ShouldBe(9 * debt);
    }
}
