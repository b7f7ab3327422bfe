using OpenErc.Core.Common;
using OpenErc.Core.Penalties;

namespace OpenErc.Core.Payments;

/// <summary>What the ledger charged an account for one service × supplier × service month: the principal, or the penalties billed on it.</summary>
public sealed record ChargedChunk(long ServiceId, string ServiceCode, long SupplierId, BillingPeriod Month, bool IsPenalty, decimal Charged);

/// <summary>A posted allocation line as the debt book reads it; <see cref="ServiceId"/> null for an advance not yet split by service.</summary>
public sealed record AllocatedLine(long? ServiceId, long? SupplierId, BillingPeriod? Month, AllocationKind Kind, decimal Amount, DateOnly PaidOn);

/// <summary>An open (or overpaid) debt chunk with the payments that reduced it, dated for the penalty calculation.</summary>
public sealed record BookChunk(long ServiceId, string ServiceCode, long SupplierId, BillingPeriod Month, bool IsPenalty, decimal Charged,
    decimal Outstanding, IReadOnlyList<ChunkPayment> Payments);

/// <summary>An advance (credit) the account holds with a supplier for a service, or unsplit when <see cref="ServiceId"/> is null.</summary>
public sealed record AdvanceBalance(long? ServiceId, long? SupplierId, decimal Amount);

/// <summary>An account's debts by chunk, its advances and the weights a new advance is split by.</summary>
public sealed record AccountDebts(IReadOnlyList<BookChunk> Chunks, IReadOnlyList<AdvanceBalance> Advances, IReadOnlyList<AdvanceWeight> AdvanceWeights)
{
    public decimal Debt => Chunks.Sum(c => c.Outstanding);
    public decimal Advance => Advances.Sum(a => a.Amount);

    /// <summary>The open chunks as the allocator takes them, due dates by <paramref name="dueDate"/>.</summary>
    public IReadOnlyList<DebtPosition> Positions(Func<BillingPeriod, DateOnly> dueDate)
    {
        var open = new List<DebtPosition>(Chunks.Count);
        foreach (var c in Chunks)
            if (c.Outstanding > 0) open.Add(new DebtPosition(c.ServiceCode, c.SupplierId, c.Month, dueDate(c.Month), c.Outstanding, c.IsPenalty));
        return open;
    }
}

/// <summary>
/// The debt book of an account (payments.md §4): per service × supplier × service month, what was charged minus what
/// was allocated to it. An advance with a supplier (an overpayment, or a month whose recalculations took back more than
/// was left to pay) is consumed by that supplier's oldest open chunks of the same service, principal before penalties,
/// as soon as they are charged — "the next charges consume it" — dated on the day the credit arose (a chunk's first
/// day for a credit from recalculations), so that the consumed part never bears penalties. An advance not yet split
/// (the account had no charges when it was paid) pays the open chunks like an undesignated payment. Read-time only:
/// nothing is written, the same lines always give the same book.
/// </summary>
public static class DebtBook
{
    /// <param name="datedPayments">List each chunk's payments by date (what the penalty calculation needs); without them
    /// (posting a payment, a balance) <see cref="BookChunk.Payments"/> is empty and the book costs less.</param>
    public static AccountDebts Open(IReadOnlyList<ChargedChunk> charges, IReadOnlyList<AllocatedLine> allocations, DateOnly today, Func<BillingPeriod, DateOnly> dueDate,
        bool datedPayments = true)
    {
        var chunks = new Dictionary<(long, long, BillingPeriod, bool), Chunk>();
        foreach (var c in charges)
        {
            var key = (c.ServiceId, c.SupplierId, c.Month, c.IsPenalty);
            if (chunks.TryGetValue(key, out var chunk)) chunk.Charged += c.Charged;
            else chunks[key] = new Chunk(c.ServiceId, c.ServiceCode, c.SupplierId, c.Month, c.IsPenalty) { Charged = c.Charged };
        }
        var credits = new Dictionary<(long, long), List<ChunkPayment>>();
        var unsplit = new List<ChunkPayment>();
        Dictionary<long, string>? codes = null;
        foreach (var a in allocations)
        {
            if (a.Kind == AllocationKind.Advance || a.Month is null)
            {
                if (a.ServiceId is { } s && a.SupplierId is { } p) Credits(credits, (s, p)).Add(new ChunkPayment(a.PaidOn, a.Amount));
                else unsplit.Add(new ChunkPayment(a.PaidOn, a.Amount));
                continue;
            }
            var key = (a.ServiceId!.Value, a.SupplierId!.Value, a.Month.Value, a.Kind == AllocationKind.Penalty);
            if (!chunks.TryGetValue(key, out var chunk))
            {
                codes ??= Codes(charges);
                chunks[key] = chunk = new Chunk(key.Item1, codes.GetValueOrDefault(key.Item1, ""), key.Item2, key.Item3, key.Item4);
            }
            chunk.Pay(a.PaidOn, a.Amount);
        }
        // A chunk paid (or taken back by recalculations) beyond its charge lends the excess to its supplier's other chunks.
        var ordered = chunks.Values.OrderBy(c => c.Month).ToList();
        foreach (var chunk in ordered)
        {
            if (chunk.Outstanding >= 0) continue;
            decimal excess = -chunk.Outstanding;
            Credits(credits, (chunk.ServiceId, chunk.SupplierId)).Add(new ChunkPayment(chunk.Month.FirstDay, excess));
            chunk.Pay(chunk.Month.FirstDay, -excess);
        }
        var advances = new List<AdvanceBalance>();
        if (credits.Count > 0)
        {
            // Each supplier's chunks of a service, principal before penalties, oldest first (the sort is stable: by month already).
            var bySupplier = new Dictionary<(long, long), List<Chunk>>();
            foreach (var chunk in ordered.Where(c => !c.IsPenalty).Concat(ordered.Where(c => c.IsPenalty)))
            {
                if (!credits.ContainsKey((chunk.ServiceId, chunk.SupplierId))) continue;
                if (!bySupplier.TryGetValue((chunk.ServiceId, chunk.SupplierId), out var list)) bySupplier[(chunk.ServiceId, chunk.SupplierId)] = list = [];
                list.Add(chunk);
            }
            var keys = credits.Keys.ToList();
            keys.Sort();
            foreach (var key in keys)
            {
                var net = Net(credits[key]);
                if (bySupplier.TryGetValue(key, out var supplierChunks))
                    foreach (var chunk in supplierChunks) Consume(net, chunk);
                decimal left = 0;
                foreach (var p in net) left += p.Amount;
                if (left != 0) advances.Add(new AdvanceBalance(key.Item1, key.Item2, left));
            }
        }
        decimal unsplitLeft = unsplit.Sum(p => p.Amount);
        if (unsplitLeft > 0)
        {
            var byKey = chunks.Values.ToDictionary(c => (c.ServiceCode, c.SupplierId, c.Month, c.IsPenalty));
            var open = chunks.Values.Where(c => c.Outstanding > 0)
                .Select(c => new DebtPosition(c.ServiceCode, c.SupplierId, c.Month, dueDate(c.Month), c.Outstanding, c.IsPenalty)).ToList();
            var paidOn = unsplit.Max(p => p.Date);
            foreach (var a in PaymentAllocator.Allocate(unsplitLeft, today, open))
            {
                if (a.Kind == AllocationKind.Advance) { unsplitLeft = a.Amount; continue; }
                byKey[(a.ServiceCode!, a.SupplierId!.Value, a.Month!.Value, a.Kind == AllocationKind.Penalty)].Pay(paidOn, a.Amount);
                unsplitLeft -= a.Amount;
            }
        }
        if (unsplitLeft != 0) advances.Add(new AdvanceBalance(null, null, unsplitLeft));

        BillingPeriod latest = default;
        foreach (var c in ordered)
            if (!c.IsPenalty && c.Charged > 0 && c.Month > latest) latest = c.Month;
        var weighted = ordered.FindAll(c => !c.IsPenalty && c.Month == latest && c.Charged > 0);
        weighted.Sort(static (x, y) => string.CompareOrdinal(x.ServiceCode, y.ServiceCode) is var c && c != 0 ? c : x.SupplierId.CompareTo(y.SupplierId));
        var weights = weighted.ConvertAll(c => new AdvanceWeight(c.ServiceCode, c.SupplierId, c.Charged));
        ordered.Sort(static (x, y) =>
        {
            int c = x.Month.CompareTo(y.Month);
            if (c == 0) c = x.IsPenalty.CompareTo(y.IsPenalty);
            if (c == 0) c = string.CompareOrdinal(x.ServiceCode, y.ServiceCode);
            return c != 0 ? c : x.SupplierId.CompareTo(y.SupplierId);
        });
        var book = ordered.ConvertAll(c => new BookChunk(c.ServiceId, c.ServiceCode, c.SupplierId, c.Month, c.IsPenalty, c.Charged, c.Outstanding,
            datedPayments ? c.Payments() : []));
        return new AccountDebts(book, advances, weights);
    }

    /// <summary>Each service's code by its id, from the charges.</summary>
    private static Dictionary<long, string> Codes(IReadOnlyList<ChargedChunk> charges)
    {
        var codes = new Dictionary<long, string>();
        foreach (var c in charges) codes.TryAdd(c.ServiceId, c.ServiceCode);
        return codes;
    }

    private static List<ChunkPayment> Credits(Dictionary<(long, long), List<ChunkPayment>> credits, (long, long) key)
    {
        if (!credits.TryGetValue(key, out var list)) credits[key] = list = [];
        return list;
    }

    /// <summary>
    /// The credits netted (a reversal cancels the latest credits first) and ordered by date; a net negative amount stays
    /// as the last item and is never consumed.
    /// </summary>
    private static List<ChunkPayment> Net(List<ChunkPayment> pool)
    {
        var items = pool.Where(p => p.Amount > 0).OrderBy(p => p.Date).ToList();
        decimal taken = -pool.Where(p => p.Amount < 0).Sum(p => p.Amount);
        for (int i = items.Count - 1; i >= 0 && taken > 0; i--)
        {
            decimal used = Math.Min(taken, items[i].Amount);
            items[i] = items[i] with { Amount = items[i].Amount - used };
            taken -= used;
        }
        items.RemoveAll(p => p.Amount == 0);
        if (taken > 0) items.Add(new ChunkPayment(DateOnly.MaxValue, -taken));
        return items;
    }

    /// <summary>Pays <paramref name="chunk"/> from the credits, oldest first, each dated when it arose.</summary>
    private static void Consume(List<ChunkPayment> credits, Chunk chunk)
    {
        for (int i = 0; i < credits.Count && chunk.Outstanding > 0; i++)
        {
            if (credits[i].Amount <= 0) continue;
            decimal used = Math.Min(credits[i].Amount, chunk.Outstanding);
            chunk.Pay(credits[i].Date, used);
            credits[i] = credits[i] with { Amount = credits[i].Amount - used };
        }
    }

    private sealed class Chunk(long serviceId, string serviceCode, long supplierId, BillingPeriod month, bool isPenalty)
    {
        private List<ChunkPayment>? _payments;
        public long ServiceId { get; } = serviceId;
        public string ServiceCode { get; } = serviceCode;
        public long SupplierId { get; } = supplierId;
        public BillingPeriod Month { get; } = month;
        public bool IsPenalty { get; } = isPenalty;
        public decimal Charged { get; set; }
        public decimal Paid { get; private set; }
        public decimal Outstanding => Charged - Paid;

        public void Pay(DateOnly date, decimal amount)
        {
            (_payments ??= []).Add(new ChunkPayment(date, amount));
            Paid += amount;
        }

        /// <summary>The payments but those netted to nothing, by date.</summary>
        public IReadOnlyList<ChunkPayment> Payments()
        {
            if (_payments is null) return [];
            var list = _payments.FindAll(p => p.Amount != 0);
            return list.Count > 1 ? list.OrderBy(p => p.Date).ToList() : list;
        }
    }
}
