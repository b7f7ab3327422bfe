using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Payments;

/// <summary>
/// An open debt of an account: one service × supplier × service month, due on <see cref="DueDate"/>;
/// <see cref="IsPenalty"/> for the penalties billed on it.
/// </summary>
public sealed record DebtPosition(string ServiceCode, long SupplierId, BillingPeriod Month, DateOnly DueDate, decimal Outstanding, bool IsPenalty = false);

/// <summary>What the payer named: the period (QR <c>PaymPeriod</c>, a registry's period) and/or amounts by service (a per-service receipt).</summary>
public sealed record PaymentDesignation(BillingPeriod? Period = null, IReadOnlyDictionary<string, decimal>? ByService = null);

/// <summary>How a payment was spread: to a debt (its month), to penalties, or to an advance (no month).</summary>
public enum AllocationKind
{
    [Display(Name = "Долг")] Debt,
    [Display(Name = "Пени")] Penalty,
    [Display(Name = "Аванс")] Advance,
}

/// <summary>A part of a payment booked to a service and supplier; an advance has no month, and no service when the account has no charges to split it by.</summary>
public sealed record Allocation(AllocationKind Kind, string? ServiceCode, long? SupplierId, BillingPeriod? Month, decimal Amount);

/// <summary>The current proportions of the account's charges (the latest ЕПД) by service and supplier: how an advance is split.</summary>
public sealed record AdvanceWeight(string ServiceCode, long SupplierId, decimal Amount);

/// <param name="HonourServiceDesignation">Apply a per-service receipt's amounts per service (payments.md §3.2 [uncertain]: some regions spread every ЕПД payment proportionally).</param>
/// <param name="LimitationYears">A payment without a period does not pay debts due more than this many years ago (ГК 196).</param>
public sealed record AllocationSettings(bool HonourServiceDesignation = true, int LimitationYears = 3);

/// <summary>
/// Spreads a payment over an account's open debts (payments.md §3): what the payer designated first — a period, or
/// services of a per-service receipt; then the oldest due date first, the debts of one due date in proportion to what
/// is outstanding (largest remainder), skipping debts beyond the limitation period; penalties only after every
/// principal; what is left is an advance split by the current charges' proportions. A pure function: same debts,
/// same payment → same allocations; they add up to the payment to the kopeck.
/// </summary>
public static class PaymentAllocator
{
    public static IReadOnlyList<Allocation> Allocate(decimal amount, DateOnly paidOn, IReadOnlyList<DebtPosition> debts, PaymentDesignation? designation = null,
        IReadOnlyList<AdvanceWeight>? advanceWeights = null, AllocationSettings? settings = null)
    {
        if (amount <= 0 || decimal.Round(amount, 2) != amount) throw new ArgumentException($"Сумма платежа должна быть положительной и в копейках: {amount}", nameof(amount));
        settings ??= new AllocationSettings();
        var open = new List<Open>(debts.Count);
        foreach (var d in debts)
            if (d.Outstanding > 0) open.Add(new Open(d));
        var result = new List<Allocation>();
        decimal left = amount;

        if (designation?.ByService is { Count: > 0 } byService && settings.HonourServiceDesignation)
        {
            // A per-service receipt: each service's amount pays that service, oldest first; what a service does not need joins the rest.
            foreach (var (code, named) in byService.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                decimal rest = Pay(open.Where(d => d.Debt.ServiceCode == code && !d.Debt.IsPenalty), Math.Min(named, left), result);
                left -= Math.Min(named, left) - rest;
            }
        }
        if (designation?.Period is { } period)
            left = Pay(open.Where(d => d.Debt.Month == period && !d.Debt.IsPenalty), left, result);
        var limit = paidOn.AddYears(-settings.LimitationYears);
        left = Pay(open.Where(d => !d.Debt.IsPenalty && d.Debt.DueDate >= limit), left, result);
        left = Pay(open.Where(d => d.Debt.IsPenalty && d.Debt.DueDate >= limit), left, result);
        if (left > 0) result.AddRange(Advance(left, advanceWeights ?? []));
        decimal total = 0;
        foreach (var a in result) total += a.Amount;
        if (total != amount) throw new InvariantViolationException($"allocations {total} ≠ payment {amount}");
        return Merged(result);
    }

    /// <summary>The allocations with the parts of one debt (a designated part and a later one) added up, in first-seen order.</summary>
    private static List<Allocation> Merged(List<Allocation> result)
    {
        var merged = new List<Allocation>(result.Count);
        var at = new Dictionary<(AllocationKind, string?, long?, BillingPeriod?), int>(result.Count);
        foreach (var a in result)
        {
            if (at.TryGetValue((a.Kind, a.ServiceCode, a.SupplierId, a.Month), out int i))
                merged[i] = merged[i] with { Amount = merged[i].Amount + a.Amount };
            else
            {
                at.Add((a.Kind, a.ServiceCode, a.SupplierId, a.Month), merged.Count);
                merged.Add(a);
            }
        }
        return merged;
    }

    private sealed class Open(DebtPosition debt)
    {
        public DebtPosition Debt { get; } = debt;
        public decimal Left { get; set; } = debt.Outstanding;
    }

    /// <summary>Pays the debts by due date, each due date's debts in proportion; returns what is left of the amount.</summary>
    private static decimal Pay(IEnumerable<Open> debts, decimal amount, List<Allocation> result)
    {
        if (amount == 0) return 0;
        var open = new List<Open>();
        foreach (var d in debts) if (d.Left > 0) open.Add(d);
        open.Sort(ByDueDate);
        for (int start = 0; start < open.Count && amount > 0;)
        {
            int end = start + 1;
            while (end < open.Count && open[end].Debt.DueDate == open[start].Debt.DueDate) end++;
            decimal due = 0;
            for (int i = start; i < end; i++) due += open[i].Left;
            decimal paid = Math.Min(amount, due);
            decimal[]? parts = paid == due ? null : LargestRemainder.Split(paid, open.GetRange(start, end - start).ConvertAll(d => d.Left));
            for (int i = start; i < end; i++)
            {
                decimal part = parts?[i - start] ?? open[i].Left;
                if (part == 0) continue;
                open[i].Left -= part;
                var d = open[i].Debt;
                result.Add(new Allocation(d.IsPenalty ? AllocationKind.Penalty : AllocationKind.Debt, d.ServiceCode, d.SupplierId, d.Month, part));
            }
            amount -= paid;
            start = end;
        }
        return amount;
    }

    /// <summary>The order debts are paid in: by due date, then month, service and supplier.</summary>
    private static int ByDueDate(Open x, Open y)
    {
        int c = x.Debt.DueDate.CompareTo(y.Debt.DueDate);
        if (c == 0) c = x.Debt.Month.CompareTo(y.Debt.Month);
        if (c == 0) c = string.CompareOrdinal(x.Debt.ServiceCode, y.Debt.ServiceCode);
        return c != 0 ? c : x.Debt.SupplierId.CompareTo(y.Debt.SupplierId);
    }

    private static IEnumerable<Allocation> Advance(decimal amount, IReadOnlyList<AdvanceWeight> weights)
    {
        var positive = weights.Where(w => w.Amount > 0).ToList();
        if (positive.Count == 0) return [new Allocation(AllocationKind.Advance, null, null, null, amount)];
        var parts = LargestRemainder.Split(amount, positive.Select(w => w.Amount).ToList());
        return positive.Select((w, i) => new Allocation(AllocationKind.Advance, w.ServiceCode, w.SupplierId, null, parts[i])).Where(a => a.Amount > 0);
    }
}
