using OpenErc.Core.Common;
using OpenErc.Core.Penalties;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

/// <summary>The worked examples of penalties.md §6 and the rules around them.</summary>
public sealed class PenaltyTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static readonly PenaltyRules Rules = new()
    {
        KeyRates =
        [
            new(D(2020, 7, 27), 4.25m), new(D(2021, 3, 22), 4.5m), new(D(2022, 2, 28), 20m), new(D(2022, 9, 19), 7.5m),
            new(D(2024, 7, 29), 18m), new(D(2024, 10, 28), 21m), new(D(2025, 6, 9), 20m), new(D(2025, 7, 28), 18m),
        ],
    };

    [Fact]
    public void Example_6_1_full_payment_after_grace_1_300_and_1_130()
    {
        var r = PenaltyCalculator.Calculate(new DebtChunk(5000m, D(2025, 4, 10)), [new(D(2025, 8, 15), 5000m)], D(2025, 9, 1), Rules);
        r.Total.ShouldBe(Money.Exact(230.19m));
        var rows = r.Portions.Single().Rows;
        rows.Select(x => (x.From, x.To, x.Days, x.Divisor)).ShouldBe([
            (D(2025, 4, 11), D(2025, 5, 10), 30, 0),
            (D(2025, 5, 11), D(2025, 7, 9), 60, 300),
            (D(2025, 7, 10), D(2025, 8, 15), 37, 130),
        ]);
        rows[1].Amount.ShouldBe(95.000m, tolerance: 0.0000001m);
        rows[1].RatePercent.ShouldBe(9.5m); // the cap: key rate 18 % on the payment day
        rows[1].Formula.ShouldBe("5000.00 × 9.5 % × 1/300 × 60 дн.");
    }

    [Fact]
    public void Example_6_2_partial_payments_round_per_portion()
    {
        var r = PenaltyCalculator.Calculate(new DebtChunk(5000m, D(2025, 4, 10)),
            [new(D(2025, 6, 20), 2000m), new(D(2025, 8, 15), 3000m)], D(2025, 9, 1), Rules);
        r.Portions.Select(p => p.Penalty).ShouldBe([Money.Exact(25.97m), Money.Exact(138.12m)]);
        r.Total.ShouldBe(Money.Exact(164.09m));
    }

    [Fact]
    public void Example_6_3_capital_repair_from_the_day_after_the_due_date()
    {
        var r = PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2025, 4, 10), PenaltySchedule.CapitalRepair), [new(D(2025, 5, 30), 1000m)], D(2025, 6, 1), Rules);
        r.Portions.Single().Rows.Single().Days.ShouldBe(50);
        r.Total.ShouldBe(Money.Exact(15.83m));
    }

    [Fact]
    public void Example_6_4_across_the_2020_moratorium()
    {
        var r = PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2020, 3, 10)), [new(D(2021, 1, 20), 1000m)], D(2021, 2, 1), Rules);
        r.Total.ShouldBe(Money.Exact(6.54m));
        var accruing = r.Portions.Single().Rows.Where(x => x.Divisor > 0).ToList();
        accruing.Single().FirstDayOfDelay.ShouldBe(297);
        accruing.Single().Days.ShouldBe(20);
        accruing.Single().RatePercent.ShouldBe(4.25m);
    }

    [Fact]
    public void Unpaid_debt_accrues_to_the_calculation_date_at_that_days_rate()
    {
        var r = PenaltyCalculator.Calculate(new DebtChunk(5000m, D(2025, 4, 10)), [], D(2025, 8, 15), Rules);
        r.Total.ShouldBe(Money.Exact(230.19m));
        r.Portions.Single().Paid.ShouldBeFalse();
    }

    [Fact]
    public void Nothing_accrues_within_thirty_days_or_on_a_zero_debt()
    {
        PenaltyCalculator.Calculate(new DebtChunk(5000m, D(2025, 4, 10)), [new(D(2025, 5, 10), 5000m)], D(2025, 6, 1), Rules).Total.ShouldBe(Money.Zero);
        PenaltyCalculator.Calculate(new DebtChunk(0m, D(2025, 4, 10)), [], D(2026, 6, 1), Rules).Portions.ShouldBeEmpty();
    }

    [Fact]
    public void Payment_day_can_be_excluded_by_configuration()
    {
        var rules = Rules with { IncludePaymentDay = false };
        var r = PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2025, 4, 10), PenaltySchedule.CapitalRepair), [new(D(2025, 5, 30), 1000m)], D(2025, 6, 1), rules);
        r.Portions.Single().Rows.Single().Days.ShouldBe(49);
    }

    [Theory]
    [InlineData(2026, 2, 2026, 3, 10)]   // February 2026: the 10th (Tuesday)
    [InlineData(2026, 3, 2026, 4, 15)]   // March 2026: the 15th (ФЗ 177)
    [InlineData(2025, 4, 2025, 5, 12)]   // 10.05.2025 is a Saturday → Monday 12.05
    public void Due_date_by_period(int y, int m, int dy, int dm, int dd) =>
        Rules.DueDate(new BillingPeriod(y, m)).ShouldBe(D(dy, dm, dd));

    [Fact]
    public void The_2022_bankruptcy_moratorium_covers_only_older_debts()
    {
        var older = PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2022, 1, 10), PenaltySchedule.CapitalRepair), [], D(2022, 6, 30), Rules);
        older.Portions.Single().Rows.Where(r => r.From >= D(2022, 4, 1)).ShouldAllBe(r => r.Divisor == 0);
        var newer = PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2022, 4, 11), PenaltySchedule.CapitalRepair), [], D(2022, 6, 30), Rules);
        newer.Total.Amount.ShouldBeGreaterThan(0m);
    }

    [Fact]
    public void A_payment_dated_before_the_key_rate_table_or_on_the_first_day_of_the_calendar_accrues_nothing_and_needs_no_rate()
    {
        // A bank's mistyped year (01.06.2015) and a stored 01.01.0001 pay a 2025 debt long before it fell due; the table
        // starts in 2020. Those parts accrue nothing, whether or not the payment day counts; the rest accrues as alone.
        var debt = new DebtChunk(1000m, D(2025, 4, 10));
        ChunkPayment[] payments = [new(D(2015, 6, 1), 400m), new(DateOnly.MinValue, 100m)];
        foreach (var rules in new[] { Rules, Rules with { IncludePaymentDay = false } })
        {
            var r = PenaltyCalculator.Calculate(debt, payments, D(2025, 9, 1), rules);
            r.Portions.Select(p => (p.End, p.Debt, p.Paid, p.Rows.Count, p.RatePercent)).ShouldBe([
                (DateOnly.MinValue, 100m, true, 0, 0m), (D(2015, 6, 1), 400m, true, 0, 0m), (D(2025, 9, 1), 500m, false, 3, 18m),
            ]);
            r.Total.ShouldBe(PenaltyCalculator.Calculate(debt with { Amount = 500m }, [], D(2025, 9, 1), rules).Total);
        }
    }

    [Fact]
    public void A_day_before_the_table_has_no_rate_for_the_calculator_and_the_first_rate_for_the_ledger()
    {
        // Due 10.01.2019, paid 01.06.2019: 142 days, the 31st–90th at 1/300 (60 days), the 91st–142nd at 1/130 (52 days),
        // at the rate of 01.06.2019, which the table (from 27.07.2020) does not have.
        var debt = new DebtChunk(1000m, D(2019, 1, 10));
        ChunkPayment[] paid = [new(D(2019, 6, 1), 1000m)];
        Should.Throw<InvalidOperationException>(() => PenaltyCalculator.Calculate(debt, paid, D(2025, 9, 1), Rules)).Message
            .ShouldBe("Нет ключевой ставки на 01.06.2019");
        // The ledger's rules take the first rate, 4.25 %: 1000 × 4.25 % × 60 / 300 = 8.50; 1000 × 4.25 % × 52 / 130 = 17.00.
        var ledger = PenaltyCalculator.Calculate(debt, paid, D(2025, 9, 1), Rules with { FirstRateForEarlierDays = true });
        ledger.Portions.Single().RatePercent.ShouldBe(4.25m);
        ledger.Total.ShouldBe(Money.Exact(25.50m));
    }

    [Fact]
    public void A_calculation_on_the_last_day_of_the_calendar_does_not_overflow()
    {
        var r = PenaltyCalculator.Calculate(new DebtChunk(100m, D(2099, 12, 10)), [new(DateOnly.MaxValue, 50m)], DateOnly.MaxValue, Rules);
        r.Portions.Select(p => (p.End, p.Paid)).ShouldBe([(DateOnly.MaxValue, true), (DateOnly.MaxValue, false)]);
        foreach (var portion in r.Portions)
        {
            portion.Rows[^1].To.ShouldBe(DateOnly.MaxValue);
            portion.Penalty.Amount.ShouldBeGreaterThan(0m);
        }
    }
}
