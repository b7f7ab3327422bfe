using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

/// <summary>Allocation of payments over debts and the kopeck-exact split: the worked examples of payments.md §6 and its checks (§7).</summary>
public sealed class PaymentAllocationTests
{
    private const long Manager = 1, Water = 2, Heat = 3, Waste = 4;
    private static readonly BillingPeriod January = new(2026, 1), February = new(2026, 2), March = new(2026, 3);

    /// <summary>The March 2026 ЕПД of §6.1: 5 000.00 ₽ over five services of four recipients.</summary>
    private static List<DebtPosition> MarchEpd(BillingPeriod month, decimal scale = 1m) =>
    [
        new("maintenance", Manager, month, Due(month), 1500.00m * scale),
        new("cold_water", Water, month, Due(month), 600.00m * scale),
        new("sewage", Water, month, Due(month), 450.00m * scale),
        new("heating", Heat, month, Due(month), 2000.00m * scale),
        new("waste", Waste, month, Due(month), 450.00m * scale),
    ];

    private static DateOnly Due(BillingPeriod month) => month.Next().FirstDay.AddDays(14);

    private static List<(long, decimal)> BySupplier(IEnumerable<Allocation> allocations) =>
        allocations.GroupBy(a => a.SupplierId!.Value).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(a => a.Amount))).ToList();

    private static decimal Of(IEnumerable<Allocation> allocations, string service) => allocations.Where(a => a.ServiceCode == service).Sum(a => a.Amount);

    [Fact]
    public void Largest_remainder_gives_the_kopecks_left_to_the_largest_remainders_ties_to_the_earlier_line()
    {
        // §6.1: exact shares 899.997, 359.9988, 269.9991, 1199.996, 269.9991; truncated 2999.95; 4 kopecks to sewage,
        // waste (tie with sewage on remainder and weight → line order), cold water, maintenance.
        LargestRemainder.Split(2999.99m, [1500m, 600m, 450m, 2000m, 450m]).ShouldBe([900.00m, 360.00m, 270.00m, 1199.99m, 270.00m]);
        // Naive half-up rounding of each share would give 3 000.00.
        new[] { 899.997m, 359.9988m, 269.9991m, 1199.996m, 269.9991m }.Sum(x => decimal.Round(x, 2, MidpointRounding.AwayFromZero)).ShouldBe(3000.00m);
        LargestRemainder.Split(0.01m, [1m, 1m, 1m]).ShouldBe([0.01m, 0m, 0m]);
        LargestRemainder.Split(0.02m, [1m, 3m]).ShouldBe([0m, 0.02m]);
        Should.Throw<ArgumentException>(() => LargestRemainder.Split(1.005m, [1m]));
        Should.Throw<ArgumentException>(() => LargestRemainder.Split(1m, [1m, 0m]));
    }

    [Fact]
    public void A_partial_payment_without_designation_is_split_over_the_services_of_the_period_6_1()
    {
        var allocations = PaymentAllocator.Allocate(2999.99m, new DateOnly(2026, 4, 5), MarchEpd(March));
        allocations.ShouldAllBe(a => a.Kind == AllocationKind.Debt && a.Month == March);
        Of(allocations, "maintenance").ShouldBe(900.00m);
        Of(allocations, "cold_water").ShouldBe(360.00m);
        Of(allocations, "sewage").ShouldBe(270.00m);
        Of(allocations, "heating").ShouldBe(1199.99m);
        Of(allocations, "waste").ShouldBe(270.00m);
        // Transfers by recipient: УО 900.00, Водоканал 630.00, Теплосеть 1 199.99, РО ТКО 270.00.
        BySupplier(allocations).ShouldBe([(Manager, 900.00m), (Water, 630.00m), (Heat, 1199.99m), (Waste, 270.00m)]);
    }

    [Fact]
    public void Without_a_period_the_oldest_debt_is_paid_first_6_2_and_with_one_the_designated_period_6_3()
    {
        // January 1 200.00 and February 4 800.00 (the §6.1 services scaled), 3 000.00 paid on 20.03.2026.
        var debts = MarchEpd(January, 0.24m).Concat(MarchEpd(February, 0.96m)).ToList();
        debts.Where(d => d.Month == January).Sum(d => d.Outstanding).ShouldBe(1200.00m);
        debts.Where(d => d.Month == February).Sum(d => d.Outstanding).ShouldBe(4800.00m);

        var oldest = PaymentAllocator.Allocate(3000.00m, new DateOnly(2026, 3, 20), debts);
        oldest.Where(a => a.Month == January).Sum(a => a.Amount).ShouldBe(1200.00m);
        oldest.Where(a => a.Month == February).Sum(a => a.Amount).ShouldBe(1800.00m);
        // February's 1 800.00 is split in February's proportions: 1800 × 1440/4800 = 540.00 to maintenance, etc.
        oldest.Single(a => a.Month == February && a.ServiceCode == "maintenance").Amount.ShouldBe(540.00m);
        oldest.Single(a => a.Month == February && a.ServiceCode == "heating").Amount.ShouldBe(720.00m);

        var designated = PaymentAllocator.Allocate(3000.00m, new DateOnly(2026, 3, 20), debts, new PaymentDesignation(Period: February));
        designated.ShouldAllBe(a => a.Month == February);
        designated.Sum(a => a.Amount).ShouldBe(3000.00m);
    }

    [Fact]
    public void An_overpayment_closes_the_period_and_the_rest_is_an_advance_in_the_current_proportions_6_4()
    {
        var march = MarchEpd(March);
        var allocations = PaymentAllocator.Allocate(5500.00m, new DateOnly(2026, 4, 5), march, null,
            march.Select(d => new AdvanceWeight(d.ServiceCode, d.SupplierId, d.Outstanding)).ToList());
        allocations.Where(a => a.Kind == AllocationKind.Debt).Sum(a => a.Amount).ShouldBe(5000.00m);
        var advance = allocations.Where(a => a.Kind == AllocationKind.Advance).ToList();
        advance.ShouldAllBe(a => a.Month == null);
        // УО 150.00, Водоканал 105.00, Теплосеть 200.00, РО 45.00.
        BySupplier(advance).ShouldBe([(Manager, 150.00m), (Water, 105.00m), (Heat, 200.00m), (Waste, 45.00m)]);
        // With no charges to split by, the advance is the account's.
        PaymentAllocator.Allocate(100.00m, new DateOnly(2026, 4, 5), []).ShouldBe([new Allocation(AllocationKind.Advance, null, null, null, 100.00m)]);
    }

    [Fact]
    public void Penalties_are_paid_after_every_principal_and_a_debt_beyond_the_limitation_period_only_by_designation()
    {
        var old = new BillingPeriod(2022, 1);
        var debts = new List<DebtPosition>
        {
            new("heating", Heat, old, Due(old), 1000.00m),
            new("heating", Heat, January, Due(January), 100.00m, IsPenalty: true),
            new("heating", Heat, February, Due(February), 300.00m),
        };
        var payment = PaymentAllocator.Allocate(350.00m, new DateOnly(2026, 4, 1), debts);
        payment.ShouldBe([
            new Allocation(AllocationKind.Debt, "heating", Heat, February, 300.00m),
            new Allocation(AllocationKind.Penalty, "heating", Heat, January, 50.00m),
        ]);
        // Named, the January 2022 period is paid even though its limitation period has run.
        PaymentAllocator.Allocate(350.00m, new DateOnly(2026, 4, 1), debts, new PaymentDesignation(Period: old))
            .ShouldBe([new Allocation(AllocationKind.Debt, "heating", Heat, old, 350.00m)]);
    }

    [Fact]
    public void A_per_service_receipt_pays_its_services_unless_the_region_spreads_every_payment()
    {
        var debts = MarchEpd(March);
        var receipt = new PaymentDesignation(ByService: new Dictionary<string, decimal> { ["heating"] = 2000.00m, ["waste"] = 450.00m });
        var honoured = PaymentAllocator.Allocate(2450.00m, new DateOnly(2026, 4, 5), debts, receipt);
        Of(honoured, "heating").ShouldBe(2000.00m);
        Of(honoured, "waste").ShouldBe(450.00m);
        Of(honoured, "maintenance").ShouldBe(0m);

        var spread = PaymentAllocator.Allocate(2450.00m, new DateOnly(2026, 4, 5), debts, receipt, settings: new AllocationSettings(HonourServiceDesignation: false));
        Of(spread, "maintenance").ShouldBe(735.00m); // 2450 × 1500 / 5000
        Of(spread, "heating").ShouldBe(980.00m);
    }

    [Fact]
    public void Allocations_add_up_to_the_payment_never_exceed_a_debt_and_are_deterministic()
    {
        var random = new Random(7);
        for (int round = 0; round < 300; round++)
        {
            var debts = Enumerable.Range(0, random.Next(1, 12)).Select(i =>
            {
                var month = new BillingPeriod(2025, random.Next(1, 13));
                return new DebtPosition($"s{random.Next(5)}", random.Next(1, 4), month, Due(month), random.Next(1, 500_000) / 100m, random.Next(6) == 0);
            }).ToList();
            decimal amount = random.Next(1, 3_000_000) / 100m;
            var allocations = PaymentAllocator.Allocate(amount, new DateOnly(2026, 1, 20), debts);
            allocations.Sum(a => a.Amount).ShouldBe(amount);
            allocations.ShouldAllBe(a => a.Amount > 0 && decimal.Round(a.Amount, 2) == a.Amount);
            foreach (var g in allocations.Where(a => a.Kind != AllocationKind.Advance).GroupBy(a => (a.ServiceCode, a.SupplierId, a.Month, a.Kind == AllocationKind.Penalty)))
                g.Sum(a => a.Amount).ShouldBeLessThanOrEqualTo(debts.Where(d => (d.ServiceCode, (long?)d.SupplierId, (BillingPeriod?)d.Month, d.IsPenalty) == g.Key).Sum(d => d.Outstanding));
            PaymentAllocator.Allocate(amount, new DateOnly(2026, 1, 20), debts).ShouldBe(allocations);
        }
    }

    [Fact]
    public void Largest_remainder_serves_the_kopecks_in_its_tie_order_however_many_lines()
    {
        // The written rule one kopeck at a time (the largest remainder not yet served, ties to the larger weight, then the
        // earlier line) against the split, over many lines with many equal weights and remainders.
        var random = new Random(11);
        for (int round = 0; round < 200; round++)
        {
            var weights = Enumerable.Range(0, random.Next(1, 700)).Select(_ => random.Next(1, 6) * (random.Next(2) == 0 ? 1m : 0.37m)).ToList();
            decimal amount = random.Next(0, (int)(weights.Sum() * 100)) / 100m;
            long a = (long)(amount * 100), total = weights.Sum(w => (long)(w * 100));
            var parts = weights.Select(w => a * (long)(w * 100) / total).ToArray();
            var remainders = weights.Select(w => a * (long)(w * 100) % total).ToArray();
            var served = new bool[weights.Count];
            for (long k = a - parts.Sum(); k > 0; k--)
            {
                int best = -1;
                for (int i = 0; i < weights.Count; i++)
                    if (!served[i] && (best < 0 || remainders[i] > remainders[best] || (remainders[i] == remainders[best] && weights[i] > weights[best]))) best = i;
                served[best] = true;
                parts[best]++;
            }
            LargestRemainder.Split(amount, weights).ShouldBe(parts.Select(p => p / 100m).ToArray(), $"round {round}");
        }
    }
}
