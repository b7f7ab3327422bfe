using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// Corrections are new rows, never edits (payments.md §2); a month's closing books what was allocated in it as paid;
/// penalties see the payments allocated to their chunks.
/// </summary>
public sealed class PaymentCorrectionsTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod April = new(2026, 4);
    private static readonly BillingPeriod May = new(2026, 5);
    private static readonly BillingPeriod June = new(2026, 6);
    private static readonly DateTimeOffset PaidAt = new(2026, 6, 2, 10, 0, 0, TimeSpan.FromHours(3));

    private async Task<(string Cs, OneFlat Flat, string Number, PostingOptions Options, FixedClock Clock)> ChargedAsync(string name)
    {
        var (cs, flat, number) = await OneFlatRegion.ChargedAprilAndMayAsync(cluster, name, Ct);
        var clock = FixedClock.On(new DateOnly(2026, 6, 3));
        return (cs, flat, number, new PostingOptions("финансист", Clock: clock.Region), clock);
    }

    private static PaymentIntake Intake(long agent, string key, string number, decimal amount) =>
        new(agent, key, PaymentChannel.Registry, number, amount, PaidAt);

    [Fact]
    public async Task A_reversal_negates_every_line_once_and_a_move_reposts_on_the_right_account()
    {
        var (cs, flat, number, options, _) = await ChargedAsync("corr_reverse");
        var second = new PersonalAccount { Number = AccountNumber.Create(2), PremiseId = flat.PremiseId, PayerPersonId = flat.PersonId, OpenedOn = OneFlatRegion.Opened };
        await OneFlatRegion.RegisterAsync(cs, "тест", Ct, second);
        var paid = await PaymentPosting.PostAsync(cs, Intake(flat.ManagerId, "R-1", number, 1000m), options, Ct);

        var reversal = await PaymentCorrections.ReverseAsync(cs, paid.PaymentId!.Value, "ошибка банка", options, ct: Ct);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {flat.AccountId}")).ShouldBe(0m);
        (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM payment_allocations WHERE payment_id = {reversal.ReversalId}"))
            .ShouldBe(await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM payment_allocations WHERE payment_id = {paid.PaymentId}"));
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT amount FROM payments WHERE id = {reversal.ReversalId}")).ShouldBe(-1000m);
        var again = await Should.ThrowAsync<PaymentException>(() => PaymentCorrections.ReverseAsync(cs, paid.PaymentId!.Value, "ещё раз", options, ct: Ct));
        again.Message.ShouldBe($"Платёж №{paid.PaymentId} уже исправлен (сторно №{reversal.ReversalId})");
        (await Should.ThrowAsync<PaymentException>(() => PaymentCorrections.ReverseAsync(cs, reversal.ReversalId!.Value, "x", options, ct: Ct)))
            .Message.ShouldBe($"Платёж №{reversal.ReversalId} — это сторно: его нельзя исправить");

        var misposted = await PaymentPosting.PostAsync(cs, Intake(flat.ManagerId, "R-2", number, 300m), options, Ct);
        var unknown = AccountNumber.Create(777);
        (await Should.ThrowAsync<PaymentException>(() => PaymentCorrections.MoveAsync(cs, misposted.PaymentId!.Value, unknown, "ошибка в номере", options, Ct)))
            .Message.ShouldBe($"Лицевой счёт {unknown} не найден");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(3);
        (await Should.ThrowAsync<PaymentException>(() => PaymentCorrections.MoveAsync(cs, misposted.PaymentId!.Value, number, "x", options, Ct)))
            .Message.ShouldBe("Платёж уже на этом лицевом счёте");
        (await Should.ThrowAsync<PaymentException>(() => PaymentCorrections.MoveAsync(cs, misposted.PaymentId!.Value, second.Number, " ", options, Ct)))
            .Message.ShouldBe("Укажите причину исправления");

        var moved = await PaymentCorrections.MoveAsync(cs, misposted.PaymentId!.Value, second.Number, "плательщик ошибся счётом", options, Ct);
        moved.AccountId.ShouldBe(second.Id);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {flat.AccountId}")).ShouldBe(0m);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {second.Id}")).ShouldBe(300m);
        // The second account has no charges yet: its money waits as an advance not split by service.
        (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM payment_allocations WHERE account_id = {second.Id} AND service_id IS NULL")).ShouldBe(1);
    }

    [Fact]
    public async Task A_suspense_payment_is_resolved_onto_an_account_once()
    {
        var (cs, flat, number, options, _) = await ChargedAsync("corr_resolve");
        var lost = await PaymentPosting.PostAsync(cs, Intake(flat.ManagerId, "S-1", AccountNumber.Create(4242), 250m), options with { AllowSuspense = true }, Ct);
        lost.Outcome.ShouldBe(PostingOutcome.Suspense);
        (await Should.ThrowAsync<PaymentException>(() => PaymentCorrections.ReverseAsync(cs, lost.PaymentId!.Value, "x", options, ct: Ct)))
            .Message.ShouldBe($"Платёж №{lost.PaymentId} в невыясненных: сначала разнесите его на лицевой счёт");

        var resolved = await PaymentCorrections.ResolveAsync(cs, lost.PaymentId!.Value, number, "найден по адресу", options, Ct);
        resolved.AccountId.ShouldBe(flat.AccountId);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {flat.AccountId}")).ShouldBe(250m);
        (await Should.ThrowAsync<PaymentException>(() => PaymentCorrections.ResolveAsync(cs, lost.PaymentId!.Value, number, "ещё раз", options, Ct)))
            .Message.ShouldBe($"Платёж №{lost.PaymentId} уже разнесён (разнесение №{resolved.PostingId}): исправляйте разнесённый платёж");
    }

    [Fact]
    public async Task Closing_books_the_allocations_as_paid_and_a_payment_after_closing_lands_in_the_next_month()
    {
        var (cs, flat, number, options, clock) = await ChargedAsync("corr_close");
        decimal charged = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE account_id = {flat.AccountId}");
        await PaymentPosting.PostAsync(cs, Intake(flat.ManagerId, "C-1", number, 1234.56m), options, Ct);
        // A new account pays before it has any charge: the advance waits unsplit until a month's charges split it.
        var newcomer = new PersonalAccount { Number = AccountNumber.Create(3), PremiseId = flat.PremiseId, OpenedOn = new DateOnly(2026, 6, 1) };
        await OneFlatRegion.RegisterAsync(cs, "тест", Ct, newcomer);
        var early = await PaymentPosting.PostAsync(cs, Intake(flat.ManagerId, "C-0", newcomer.Number, 300m), options, Ct);
        (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM payment_allocations WHERE payment_id = {early.PaymentId} AND service_id IS NULL")).ShouldBe(1);
        (await BillingRun.RunAsync(cs, June, BillingScope.All, new BillingRunOptions(options.Clock), ct: Ct)).Failures.ShouldBeEmpty();
        charged = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE account_id = {flat.AccountId}");
        decimal newcomerJune = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE account_id = {newcomer.Id}");
        newcomerJune.ShouldBeGreaterThan(0m);

        var june = await BillingPeriods.CloseAsync(cs, June, clock.Region, ct: Ct);
        june.Paid.ShouldBe(1234.56m + 300m);
        june.Closing.ShouldBe(charged + newcomerJune - 1234.56m - 300m);
        // The 300 ₽ now sit with June's suppliers of the newcomer, in proportion to its charges; nothing is left unsplit.
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {early.PaymentId} AND service_id IS NULL")).ShouldBe(0m);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {early.PaymentId} AND supplier_id IS NOT NULL")).ShouldBe(300m);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM account_balances WHERE service_id = 0 AND closing <> 0")).ShouldBe(0);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM account_balances WHERE month = '2026-06-01' AND opening + charged + recalculated + penalties - paid <> closing")).ShouldBe(0);

        // Received on 30 June after June is closed: booked in July, still dated 30 June for the transfers and penalties.
        clock.Set(new DateOnly(2026, 6, 30));
        var late = await PaymentPosting.PostAsync(cs, Intake(flat.ManagerId, "C-2", number, 100m), options, Ct);
        (await Sql.ScalarAsync<DateOnly>(cs, $"SELECT booking_month FROM payments WHERE id = {late.PaymentId}")).ShouldBe(new DateOnly(2026, 7, 1));
        (await Sql.ScalarAsync<DateOnly>(cs, $"SELECT DISTINCT received_on FROM payment_allocations WHERE payment_id = {late.PaymentId}")).ShouldBe(new DateOnly(2026, 6, 30));
    }

    [Fact]
    public async Task Penalties_stop_on_the_day_the_payer_paid()
    {
        var (cs, flat, number, options, _) = await ChargedAsync("corr_penalty");
        var on = new DateOnly(2026, 8, 15);
        var unpaid = await PenaltyPosting.StatementAsync(cs, flat.AccountId, on, ct: Ct);
        decimal april = unpaid.Chunks.Where(c => c.ServiceMonth == April).Sum(c => c.Principal);
        // April paid in full on 2 June, 18 days after its 15 May due date.
        var paid = await PaymentPosting.PostAsync(cs, Intake(flat.ManagerId, "P-1", number, april) with { PaidAt = PaidAt }, options, Ct);
        paid.Outcome.ShouldBe(PostingOutcome.Posted);
        var after = await PenaltyPosting.StatementAsync(cs, flat.AccountId, on, ct: Ct);
        foreach (var chunk in after.Chunks.Where(c => c.ServiceMonth == April))
        {
            chunk.Payments.Sum(p => p.Amount).ShouldBe(chunk.Principal);
            chunk.Payments.ShouldAllBe(p => p.Date == new DateOnly(2026, 6, 2));
            // Paid within the 30 days after the due date: no penalty at all (ЖК 155 ч. 14).
            chunk.Result.Total.Amount.ShouldBe(0m);
        }
        after.Total.ShouldBeLessThan(unpaid.Total);
        after.Chunks.Where(c => c.ServiceMonth == May).Sum(c => c.Result.Total.Amount)
            .ShouldBe(unpaid.Chunks.Where(c => c.ServiceMonth == May).Sum(c => c.Result.Total.Amount));
    }
}
