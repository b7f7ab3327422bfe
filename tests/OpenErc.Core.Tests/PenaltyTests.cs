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

    [Fact]
    public void Rows_carry_a_note_code_for_grace_moratorium_and_each_fraction()
    {
        var housing = PenaltyCalculator.Calculate(new DebtChunk(5000m, D(2025, 4, 10)), [new(D(2025, 8, 15), 5000m)], D(2025, 9, 1), Rules);
        housing.Portions.Single().Rows.Select(r => (r.Code, r.Note)).ShouldBe([
            (PenaltyRowNote.Grace, "Льготный период (30 дней)"), (PenaltyRowNote.OneThreeHundredth, null), (PenaltyRowNote.OneHundredThirtieth, null),
        ]);
        var moratorium = PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2020, 3, 10)), [new(D(2021, 1, 20), 1000m)], D(2021, 2, 1), Rules);
        moratorium.Portions.Single().Rows.Select(r => (r.Code, r.Note)).ShouldBe([
            (PenaltyRowNote.Grace, "Льготный период (30 дней)"), (PenaltyRowNote.Moratorium, "Мораторий ПП № 424"), (PenaltyRowNote.OneHundredThirtieth, null),
        ]);
        moratorium.Portions.Single().Rows[1].Window.ShouldBe(PenaltyRules.DefaultMoratoria[0]);
        var capitalRepair = PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2025, 4, 10), PenaltySchedule.CapitalRepair), [new(D(2025, 5, 30), 1000m)], D(2025, 6, 1), Rules);
        capitalRepair.Portions.Single().Rows.Single().Code.ShouldBe(PenaltyRowNote.CapitalRepair);
    }

    [Fact]
    public void The_calculation_date_accrues_by_default_and_not_when_excluded()
    {
        // 5 000 ₽ due 10.04.2025, unpaid on 15.08.2025; key rate 18 % on that day → capped at 9.5 %.
        // With the day: 60 days × 1/300 = 5000 × 9.5 × 60 / 30 000 = 95.00; 37 days × 1/130 = 5000 × 9.5 × 37 / 13 000 = 135.1923;
        // 230.1923 → 230.19 ₽ (the same as example 6.1 paid that day).
        var with = PenaltyCalculator.Calculate(new DebtChunk(5000m, D(2025, 4, 10)), [], D(2025, 8, 15), Rules);
        with.Total.ShouldBe(Money.Exact(230.19m));
        with.Portions.Single().Rows[^1].To.ShouldBe(D(2025, 8, 15));
        // Without it: 36 days × 1/130 = 5000 × 9.5 × 36 / 13 000 = 131.5385; 95.00 + 131.5385 = 226.5385 → 226.54 ₽.
        var without = PenaltyCalculator.Calculate(new DebtChunk(5000m, D(2025, 4, 10)), [], D(2025, 8, 15), Rules with { IncludeCalculationDay = false });
        without.Total.ShouldBe(Money.Exact(226.54m));
        without.Portions.Single().Rows[^1].To.ShouldBe(D(2025, 8, 14));
        without.Portions.Single().Rows[^1].Days.ShouldBe(36);
        // A paid portion follows IncludePaymentDay, not this option: example 6.1 stays 230.19 ₽.
        PenaltyCalculator.Calculate(new DebtChunk(5000m, D(2025, 4, 10)), [new(D(2025, 8, 15), 5000m)], D(2025, 9, 1), Rules with { IncludeCalculationDay = false })
            .Total.ShouldBe(Money.Exact(230.19m));
    }

    [Fact]
    public void A_moratorium_bound_moved_by_a_day_moves_the_penalty_by_a_day()
    {
        // Example 6.4 (1 000 ₽ due 10.03.2020, paid 20.01.2021, key rate 4.25 %) with the 2020 window through 01.01.2021
        // inclusive, as some calculators count it: 02.01–20.01.2021 = 19 days × 1/130 instead of 20,
        // 1000 × 4.25 × 19 / 13 000 = 6.2115 → 6.21 ₽ (6.54 ₽ with the built-in window through 31.12.2020).
        var rules = Rules with { Moratoria = [Moratorium.Inclusive(D(2020, 4, 6), D(2021, 1, 1), "Мораторий ПП № 424"), PenaltyRules.DefaultMoratoria[1]] };
        var r = PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2020, 3, 10)), [new(D(2021, 1, 20), 1000m)], D(2021, 2, 1), rules);
        r.Total.ShouldBe(Money.Exact(6.21m));
        var rows = r.Portions.Single().Rows;
        rows[1].To.ShouldBe(D(2021, 1, 1));
        rows[2].From.ShouldBe(D(2021, 1, 2));
        rows[2].FirstDayOfDelay.ShouldBe(298);
        rows[2].Days.ShouldBe(19);
        // Without any moratorium: 60 days × 1/300 = 1000 × 4.25 × 60 / 30 000 = 8.50; days 91…316 = 226 × 1/130 =
        // 1000 × 4.25 × 226 / 13 000 = 73.8846; 82.3846 → 82.38 ₽.
        PenaltyCalculator.Calculate(new DebtChunk(1000m, D(2020, 3, 10)), [new(D(2021, 1, 20), 1000m)], D(2021, 2, 1), Rules with { Moratoria = [] })
            .Total.ShouldBe(Money.Exact(82.38m));
    }

    [Fact]
    public void Rows_built_from_the_days_where_terms_change_equal_the_day_by_day_table()
    {
        // The algorithm of penalties.md §5 literally, day by day, against the calculator over random debts, payments and windows.
        var random = new Random(20260101);
        for (int run = 0; run < 300; run++)
        {
            var due = D(2019, 1, 1).AddDays(random.Next(0, 2500));
            var chunk = new DebtChunk(random.Next(1, 1_000_000) / 100m, due, random.Next(3) == 0 ? PenaltySchedule.CapitalRepair : PenaltySchedule.Housing);
            var payments = Enumerable.Range(0, random.Next(0, 4)).Select(_ => new ChunkPayment(due.AddDays(random.Next(-10, 900)), random.Next(1, 500_000) / 100m)).ToList();
            var on = due.AddDays(random.Next(0, 1200));
            var moratoria = Enumerable.Range(0, random.Next(0, 4)).Select(i =>
            {
                var from = D(2019, 1, 1).AddDays(random.Next(0, 3500));
                return Moratorium.Inclusive(from, from.AddDays(random.Next(0, 400)), $"М{i}", random.Next(2) == 0 ? null : from.AddDays(random.Next(-200, 200)));
            }).ToList();
            var rules = Rules with
            {
                KeyRates = [new(D(2016, 1, 1), 7.75m), .. Rules.KeyRates],
                Moratoria = moratoria,
                IncludePaymentDay = random.Next(2) == 0,
                IncludeCalculationDay = random.Next(2) == 0,
            };
            var result = PenaltyCalculator.Calculate(chunk, payments, on, rules);
            foreach (var portion in result.Portions)
            {
                var (rows, exact) = DayByDay(chunk, portion, rules);
                portion.Rows.Select(x => (x.From, x.To, x.Days, x.FirstDayOfDelay, x.Divisor, x.RatePercent, x.Code)).ShouldBe(rows, $"run {run}");
                portion.Rows.Sum(x => x.Amount).ShouldBe(exact, tolerance: 1e-18m, $"run {run}");
                portion.Penalty.ShouldBe(Money.RoundToKopecks(exact), $"run {run}");
            }
        }
    }

    /// <summary>A portion's table one day at a time (penalties.md §5), merging days of equal terms, and its exact sum.</summary>
    private static (List<(DateOnly, DateOnly, int, int, int, decimal, PenaltyRowNote)> Rows, decimal Exact) DayByDay(DebtChunk chunk, PenaltyPortion portion, PenaltyRules rules)
    {
        var last = (portion.Paid ? rules.IncludePaymentDay : rules.IncludeCalculationDay) ? portion.End : portion.End.AddDays(-1);
        var rows = new List<(DateOnly From, DateOnly To, int Days, int K, int Divisor, decimal Rate, PenaltyRowNote Code, Moratorium? Window)>();
        decimal exact = 0;
        for (var day = chunk.DueDate.AddDays(1); day <= last; day = day.AddDays(1))
        {
            int k = day.DayNumber - chunk.DueDate.DayNumber;
            var window = rules.Moratoria.FirstOrDefault(m => m.Days.Contains(day) && (m.OnlyDebtsDueBefore is null || chunk.DueDate < m.OnlyDebtsDueBefore));
            var (code, divisor) = window is not null ? (PenaltyRowNote.Moratorium, 0)
                : chunk.Schedule == PenaltySchedule.CapitalRepair ? (PenaltyRowNote.CapitalRepair, 300)
                : k <= 30 ? (PenaltyRowNote.Grace, 0) : k <= 90 ? (PenaltyRowNote.OneThreeHundredth, 300) : (PenaltyRowNote.OneHundredThirtieth, 130);
            decimal rate = divisor == 0 ? 0m : rules.Caps.Where(c => c.Days.Contains(day)).Aggregate(portion.RatePercent, (r, c) => Math.Min(r, c.CapPercent));
            if (divisor != 0) exact += portion.Debt * rate / 100m / divisor;
            if (rows.Count > 0 && rows[^1] is var p && p.Code == code && p.Divisor == divisor && p.Rate == rate && p.Window == window)
                rows[^1] = p with { To = day, Days = p.Days + 1 };
            else
                rows.Add((day, day, 1, k, divisor, rate, code, window));
        }
        return (rows.ConvertAll(r => (r.From, r.To, r.Days, r.K, r.Divisor, r.Rate, r.Code)), exact);
    }
}
