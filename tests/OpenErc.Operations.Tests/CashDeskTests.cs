using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>The centre's cash desk: a shift opened, payments taken once per form key, cancelled only within the open shift, the shift's report.</summary>
public sealed class CashDeskTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Cashier = "Петрова А. А.";

    private async Task<(string Cs, OneFlat Flat, string Number, PaymentParties Parties, FixedClock Clock, PostingOptions Options)> DeskAsync(string name)
    {
        var cs = await cluster.CreateDatabaseAsync(name);
        var (flat, number, parties) = await OneFlatRegion.ChargedWithAgentsAsync(cs, Ct);
        var clock = new FixedClock(new DateTimeOffset(2026, 6, 3, 9, 15, 0, TimeSpan.FromHours(3)));
        return (cs, flat, number, parties, clock, new PostingOptions(Cashier, Clock: clock.Region));
    }

    [Fact]
    public async Task A_shift_takes_payments_once_cancels_within_itself_and_its_report_nets_the_cancellations()
    {
        var (cs, flat, number, parties, clock, options) = await DeskAsync("cash_shift");
        var today = options.Today;
        decimal charged = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE account_id = {flat.AccountId}");

        var shift = await CashDesk.OpenShiftAsync(cs, Cashier, "Касса 1", options, Ct);
        shift.IsOpen.ShouldBeTrue();
        (await Should.ThrowAsync<PaymentException>(() => CashDesk.OpenShiftAsync(cs, Cashier, "Касса 2", options, Ct)))
            .Message.ShouldBe($"У кассира {Cashier} уже открыта смена №{shift.Id} (Касса 1): закройте её, прежде чем открыть новую");

        var account = await CashDesk.FindAccountAsync(cs, number, today, Ct);
        (account.Id, account.Payer, account.Address).ShouldBe((flat.AccountId, "Иванов Иван Иванович", "г. Тестовск, ул. Ленина, д. 5, кв. 1"), customMessage: account.Address);
        (account.Balance.Debt, account.Balance.Advance, account.Balance.ToPay).ShouldBe((charged, 0m, charged));

        // A double click: the same form key twice posts once.
        var first = await CashDesk.PayAsync(cs, shift.Id, new CashPayment("form-1", number, 1000m), options, Ct);
        first.Outcome.ShouldBe(PostingOutcome.Posted);
        var again = await CashDesk.PayAsync(cs, shift.Id, new CashPayment("form-1", number, 1000m), options, Ct);
        (again.Outcome, again.PaymentId).ShouldBe((PostingOutcome.Repeated, first.PaymentId));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(1);
        (await Sql.ScalarAsync<string>(cs, $"""
            SELECT concat_ws('|', agent_id, channel, commission, shift_id, payer, received_on) FROM payments WHERE id = {first.PaymentId}
            """)).ShouldBe($"{parties.CentreId}|{(short)PaymentChannel.CashDesk}|0.00|{shift.Id}|Иванов Иван Иванович|2026-06-03");
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {first.PaymentId}")).ShouldBe(1000m);

        clock.Now = clock.Now.AddHours(2);
        var second = await CashDesk.PayAsync(cs, shift.Id, new CashPayment("form-2", number, 500.50m), options, Ct);
        (await PaymentSearch.BalanceAsync(cs, flat.AccountId, today, Ct)).Debt.ShouldBe(charged - 1500.50m);

        (await Should.ThrowAsync<PaymentException>(() => CashDesk.CancelAsync(cs, shift.Id, second.PaymentId!.Value, " ", options, Ct)))
            .Message.ShouldBe("Укажите причину отмены платежа");
        var cancel = await CashDesk.CancelAsync(cs, shift.Id, second.PaymentId!.Value, "Ошибка в сумме", options, Ct);
        (await Should.ThrowAsync<PaymentException>(() => CashDesk.CancelAsync(cs, shift.Id, second.PaymentId!.Value, "ещё раз", options, Ct)))
            .Message.ShouldBe($"Платёж №{second.PaymentId} уже исправлен (сторно №{cancel.ReversalId})");
        (await PaymentSearch.BalanceAsync(cs, flat.AccountId, today, Ct)).Debt.ShouldBe(charged - 1000m);

        var report = await CashDesk.CloseShiftAsync(cs, shift.Id, options, Ct);
        report.Shift.IsOpen.ShouldBeFalse();
        (report.Count, report.Total, report.Cancellations, report.Cancelled, report.Net).ShouldBe((2, 1500.50m, 1, 500.50m, 1000m));
        report.Hours.ShouldBe([new ShiftHour(9, 1, 1000m, 0, 0m), new ShiftHour(11, 1, 500.50m, 1, 500.50m)]);
        report.Payments[1].CancelReason.ShouldBe("Ошибка в сумме");

        // After closing: nothing more taken, nothing cancelled, and the books unchanged.
        (await Should.ThrowAsync<PaymentException>(() => CashDesk.PayAsync(cs, shift.Id, new CashPayment("form-3", number, 10m), options, Ct)))
            .Message.ShouldBe($"Смена №{shift.Id} закрыта: платежи принимаются только в открытой смене");
        (await Should.ThrowAsync<PaymentException>(() => CashDesk.CancelAsync(cs, shift.Id, first.PaymentId!.Value, "поздно", options, Ct)))
            .Message.ShouldBe($"Смена №{shift.Id} закрыта: отменить платёж можно только в открытой смене, теперь — только сторно в поиске платежей");
        (await Should.ThrowAsync<PaymentException>(() => CashDesk.CloseShiftAsync(cs, shift.Id, options, Ct))).Message.ShouldBe($"Смена №{shift.Id} уже закрыта");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(3);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(amount) FROM payment_allocations")).ShouldBe(1000m);
        (await CashDesk.ReportAsync(cs, shift.Id, clock.Region, Ct))!.Net.ShouldBe(1000m);

        // The cashier opens the next shift; the search finds the shift's payments with their status.
        var next = await CashDesk.OpenShiftAsync(cs, Cashier, "Касса 1", options, Ct);
        next.Id.ShouldNotBe(shift.Id);
        var found = await PaymentSearch.FindAsync(cs, new PaymentFilter(ShiftId: shift.Id), ct: Ct);
        found.Items.Select(p => (p.Id, p.Status)).ShouldBe([(cancel.ReversalId!.Value, PaymentStatus.Reversal), (second.PaymentId!.Value, PaymentStatus.Reversed),
            (first.PaymentId!.Value, PaymentStatus.Posted)]);
    }

    [Fact]
    public async Task Bad_input_at_the_desk_is_refused_in_Russian_and_posts_nothing()
    {
        var (cs, _, number, _, _, options) = await DeskAsync("cash_bad");
        (await Should.ThrowAsync<PaymentException>(() => CashDesk.OpenShiftAsync(cs, " ", "Касса 1", options, Ct))).Message.ShouldBe("Укажите кассира");
        var shift = await CashDesk.OpenShiftAsync(cs, Cashier, "Касса 1", options, Ct);
        var other = await CashDesk.OpenShiftAsync(cs, "Сидоров Б. Б.", "Касса 2", options, Ct);
        string unknown = Core.Accounts.AccountNumber.Create(999_999);

        async Task<string> RefusedAsync(CashPayment payment) =>
            (await Should.ThrowAsync<PaymentException>(() => CashDesk.PayAsync(cs, shift.Id, payment, options, Ct))).Message;
        (await RefusedAsync(new CashPayment("a", unknown, 10m))).ShouldBe($"Лицевой счёт {unknown} не найден");
        (await RefusedAsync(new CashPayment("b", "123", 10m))).ShouldContain("10 цифр");
        (await RefusedAsync(new CashPayment("c", number, 0m))).ShouldBe("Сумма платежа должна быть больше нуля и в рублях с копейками, например 1 250,50");
        (await RefusedAsync(new CashPayment("d", number, 10.001m))).ShouldStartWith("Сумма платежа должна быть больше нуля");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(0);

        // Another cashier's payment cannot be cancelled from this shift.
        var paid = await CashDesk.PayAsync(cs, other.Id, new CashPayment("e", number, 10m), options, Ct);
        (await Should.ThrowAsync<PaymentException>(() => CashDesk.CancelAsync(cs, shift.Id, paid.PaymentId!.Value, "чужой", options, Ct)))
            .Message.ShouldBe($"Платёж №{paid.PaymentId} принят не в смене №{shift.Id}: в этой смене его отменить нельзя");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(1);
    }
}
