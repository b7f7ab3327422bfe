using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using OpenErc.Core.Penalties;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

/// <summary>The debt book (payments.md §4): charges minus allocations per chunk, advances consumed by the next charges.</summary>
public sealed class DebtBookTests
{
    private const long Water = 2, Heat = 3, ColdWater = 10, Heating = 11;
    private static readonly BillingPeriod March = new(2026, 3), April = new(2026, 4), May = new(2026, 5);
    private static readonly DateOnly Today = new(2026, 6, 1);

    private static DateOnly Due(BillingPeriod month) => month.Next().FirstDay.AddDays(14);

    private static ChargedChunk Water_(BillingPeriod month, decimal amount) => new(ColdWater, "cold_water", Water, month, false, amount);
    private static ChargedChunk Heat_(BillingPeriod month, decimal amount) => new(Heating, "heating", Heat, month, false, amount);

    [Fact]
    public void An_advance_pays_its_suppliers_next_charges_dated_when_it_was_paid()
    {
        var paidOn = new DateOnly(2026, 3, 20);
        // March overpaid by 100 ₽ for water: the advance pays April's water, not April's heating.
        var book = DebtBook.Open(
            [Water_(March, 400m), Heat_(March, 600m), Water_(April, 400m), Heat_(April, 600m)],
            [
                new AllocatedLine(ColdWater, Water, March, AllocationKind.Debt, 400m, paidOn),
                new AllocatedLine(Heating, Heat, March, AllocationKind.Debt, 600m, paidOn),
                new AllocatedLine(ColdWater, Water, null, AllocationKind.Advance, 100m, paidOn),
            ], Today, Due);
        book.Debt.ShouldBe(900m);
        book.Advance.ShouldBe(0m);
        var aprilWater = book.Chunks.Single(c => c.Month == April && c.ServiceCode == "cold_water");
        aprilWater.Outstanding.ShouldBe(300m);
        aprilWater.Payments.ShouldBe([new ChunkPayment(paidOn, 100m)]);
        book.Chunks.Single(c => c.Month == April && c.ServiceCode == "heating").Outstanding.ShouldBe(600m);
        book.Positions(Due).Sum(p => p.Outstanding).ShouldBe(900m);
        // The weights of a new advance: the latest month's charges.
        book.AdvanceWeights.ShouldBe([new AdvanceWeight("cold_water", Water, 400m), new AdvanceWeight("heating", Heat, 600m)]);
    }

    [Fact]
    public void A_reversal_cancels_what_it_reverses_and_a_recalculation_credit_pays_the_next_month()
    {
        var paidOn = new DateOnly(2026, 4, 10);
        var book = DebtBook.Open(
            // March water was charged 400, then a recalculation took back 150 after March had been paid in full.
            [Water_(March, 400m), Water_(March, -150m), Water_(April, 400m)],
            [
                new AllocatedLine(ColdWater, Water, March, AllocationKind.Debt, 400m, paidOn),
                new AllocatedLine(ColdWater, Water, null, AllocationKind.Advance, 50m, paidOn),
                new AllocatedLine(ColdWater, Water, null, AllocationKind.Advance, -50m, paidOn),
            ], Today, Due);
        book.Chunks.Single(c => c.Month == March).Outstanding.ShouldBe(0m);
        var april = book.Chunks.Single(c => c.Month == April);
        april.Outstanding.ShouldBe(250m);
        april.Payments.ShouldBe([new ChunkPayment(March.FirstDay, 150m)]);
        book.Advance.ShouldBe(0m);
    }

    [Fact]
    public void An_advance_paid_before_any_charge_pays_the_first_charges_oldest_first()
    {
        var paidOn = new DateOnly(2026, 2, 25);
        var book = DebtBook.Open([Water_(March, 400m), Heat_(March, 600m), Water_(April, 400m)],
            [new AllocatedLine(null, null, null, AllocationKind.Advance, 1200m, paidOn)], Today, Due);
        book.Chunks.Where(c => c.Month == March).ShouldAllBe(c => c.Outstanding == 0m);
        book.Chunks.Single(c => c.Month == April).Outstanding.ShouldBe(200m);
        book.Advance.ShouldBe(0m);

        var over = DebtBook.Open([Water_(March, 400m)], [new AllocatedLine(null, null, null, AllocationKind.Advance, 1000m, paidOn)], Today, Due);
        over.Debt.ShouldBe(0m);
        over.Advances.ShouldBe([new AdvanceBalance(null, null, 600m)]);
    }

    [Fact]
    public void For_any_charges_and_payments_the_book_keeps_every_kopeck()
    {
        var random = new Random(11);
        for (int round = 0; round < 300; round++)
        {
            var months = new[] { March, April, May };
            var charges = Enumerable.Range(0, random.Next(1, 8))
                .Select(_ => random.Next(2) == 0 ? Water_(months[random.Next(3)], random.Next(-5_000, 50_000) / 100m) : Heat_(months[random.Next(3)], random.Next(1, 90_000) / 100m))
                .ToList();
            var allocations = new List<AllocatedLine>();
            for (int p = random.Next(0, 5); p > 0; p--)
            {
                var book = DebtBook.Open(charges, allocations, Today, Due);
                decimal amount = random.Next(1, 200_000) / 100m;
                var paidOn = new DateOnly(2026, random.Next(3, 6), random.Next(1, 28));
                foreach (var a in PaymentAllocator.Allocate(amount, paidOn, book.Positions(Due), null, book.AdvanceWeights))
                    allocations.Add(new AllocatedLine(a.ServiceCode switch { "cold_water" => ColdWater, "heating" => Heating, _ => null },
                        a.SupplierId, a.Month, a.Kind, a.Amount, paidOn));
            }
            var final = DebtBook.Open(charges, allocations, Today, Due);
            // Debt − advance = charged − paid, to the kopeck; no chunk is left overpaid while an advance remains unspent.
            (final.Debt - final.Advance).ShouldBe(charges.Sum(c => c.Charged) - allocations.Sum(a => a.Amount));
            final.Chunks.ShouldAllBe(c => c.Outstanding >= 0m);
        }
    }
}
