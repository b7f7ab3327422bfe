using System.ComponentModel.DataAnnotations;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Receipts;
using OpenErc.Operations.Payments;

namespace OpenErc.Operations.Billing;

/// <summary>Where a billing month stands, in the words the centre's staff use: charged or not, closed or not.</summary>
public enum MonthState
{
    [Display(Name = "не рассчитан")] NotCharged,
    [Display(Name = "рассчитан частично")] PartlyCharged,
    [Display(Name = "идёт расчёт или расчёт прерван")] Running,
    [Display(Name = "рассчитан, есть дома с ошибками")] ChargedWithFailures,
    [Display(Name = "рассчитан")] Charged,
    [Display(Name = "закрыт")] Closed,
}

/// <summary>A month's status (<see cref="BillingPeriods.StatusAsync"/>) and what it amounts to.</summary>
public sealed record MonthRun(PeriodStatus Status, MonthState State)
{
    /// <summary>The latest run that posted or meant to post lines (dry runs left out).</summary>
    public RunStatus? LastRun => Status.Runs.LastOrDefault(r => !r.DryRun);

    public static MonthState StateOf(PeriodStatus status)
    {
        if (status.State == "closed") return MonthState.Closed;
        var runs = status.Runs.Where(r => !r.DryRun).ToList();
        if (runs.Any(r => r.State == "running")) return MonthState.Running;
        if (status.OpenFailures.Count > 0) return MonthState.ChargedWithFailures;
        // A completed run over every building (recalculations, corrections and penalties record runs of their own scope).
        if (runs.Any(r => r.State == "completed" && r.Scope == BillingScope.All.Description)) return MonthState.Charged;
        return status.PostedLines > 0 ? MonthState.PartlyCharged : MonthState.NotCharged;
    }
}

/// <summary>The documents of one kind issued for a month and what they ask to pay.</summary>
public sealed record ReceiptTotal(ReceiptKind Kind, int Count, decimal ToPay);

/// <summary>
/// A closed month as its balances and documents show it: the accounts with balances, the documents issued, the debt at the
/// month's end (the accounts whose closing balance, over all services and suppliers, is above zero) and the advances (below zero).
/// </summary>
public sealed record ClosedMonthFigures(BillingPeriod Month, int Accounts, IReadOnlyList<ReceiptTotal> Receipts, decimal Debt, int Debtors, decimal Advance,
    int AdvanceAccounts)
{
    /// <summary>The month's own documents (monthly and advance ones; debt notices are on request and counted apart).</summary>
    public int Issued => Receipts.Where(r => r.Kind != ReceiptKind.DebtNotice).Sum(r => r.Count);

    public decimal IssuedToPay => Receipts.Where(r => r.Kind != ReceiptKind.DebtNotice).Sum(r => r.ToPay);
}

/// <summary>The intake payments of one channel received in the month.</summary>
public sealed record ChannelTotal(PaymentChannel Channel, int Count, decimal Amount);

/// <summary>The intake payments received on one day.</summary>
public sealed record DayTotal(DateOnly Day, int Count, decimal Amount);

/// <summary>
/// The payments received in a month (by the centre's day of receipt): intake payments by channel and by day, the reversals
/// (сторно, negative) made in the month, and the intake payments of the month still waiting in suspense. Moves and
/// suspense resolutions repost money already counted, so they are left out.
/// </summary>
public sealed record MonthPayments(IReadOnlyList<ChannelTotal> Channels, IReadOnlyList<DayTotal> Days, int Reversals, decimal Reversed, int Suspense,
    decimal SuspenseAmount)
{
    public int Count => Channels.Sum(c => c.Count);
    public decimal Amount => Channels.Sum(c => c.Amount);
    /// <summary>Received less reversed.</summary>
    public decimal Net => Amount + Reversed;
}

/// <summary>The dashboard of a billing month (<c>/month</c>): the runs of it and of the month before, the last closed month's documents and debt, the month's payments.</summary>
public sealed record MonthSummary(BillingPeriod Month, MonthRun Current, MonthRun Previous, ClosedMonthFigures? LastClosed, MonthPayments Payments)
{
    public static async Task<MonthSummary> LoadAsync(string connectionString, BillingPeriod month, CancellationToken ct = default)
    {
        var current = await BillingPeriods.StatusAsync(connectionString, month, ct);
        var previous = await BillingPeriods.StatusAsync(connectionString, month.Previous(), ct);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return new MonthSummary(month, new MonthRun(current, MonthRun.StateOf(current)), new MonthRun(previous, MonthRun.StateOf(previous)),
            await LastClosedAsync(conn, month, ct), await PaymentsAsync(conn, month, ct));
    }

    /// <summary>The latest closed month up to <paramref name="month"/>; null while none is closed.</summary>
    private static async Task<ClosedMonthFigures?> LastClosedAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        BillingPeriod closed;
        await using (var last = new NpgsqlCommand("SELECT max(month) FROM billing_periods WHERE state = 'closed' AND month <= @m", conn))
        {
            last.Parameters.Add(MonthParameter("m", month));
            await using var found = await last.ExecuteReaderAsync(ct);
            await found.ReadAsync(ct);
            if (found.IsDBNull(0)) return null;
            closed = found.GetMonth(0);
        }
        await using var cmd = new NpgsqlCommand("""
            SELECT accounts, debt, debtors, advance, advance_accounts FROM closed_month_accounts WHERE month = @c;
            SELECT kind, count(*)::int, sum(to_pay) FROM receipts WHERE month = @c GROUP BY kind ORDER BY kind;
            """, conn);
        cmd.Parameters.Add(MonthParameter("c", closed));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var figures = new ClosedMonthFigures(closed, r.GetInt32(0), [], r.GetDecimal(1), r.GetInt32(2), r.GetDecimal(3), r.GetInt32(4));
        await r.NextResultAsync(ct);
        var receipts = new List<ReceiptTotal>();
        while (await r.ReadAsync(ct)) receipts.Add(new ReceiptTotal((ReceiptKind)r.GetInt16(0), r.GetInt32(1), r.GetDecimal(2)));
        return figures with { Receipts = receipts };
    }

    private static async Task<MonthPayments> PaymentsAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT channel, count(*)::int, sum(amount) FROM payments
            WHERE correction IS NULL AND received_on >= @from AND received_on < @to GROUP BY channel ORDER BY channel;
            SELECT received_on, count(*)::int, sum(amount) FROM payments
            WHERE correction IS NULL AND received_on >= @from AND received_on < @to GROUP BY received_on ORDER BY received_on;
            SELECT count(*)::int, coalesce(sum(amount), 0) FROM payments WHERE correction = 'reversal' AND received_on >= @from AND received_on < @to;
            SELECT count(*)::int, coalesce(sum(amount), 0) FROM payments p
            WHERE p.correction IS NULL AND p.account_id IS NULL AND p.received_on >= @from AND p.received_on < @to
              AND NOT EXISTS (SELECT 1 FROM payments c WHERE c.corrects = p.id AND c.correction = 'resolution');
            """, conn);
        cmd.Parameters.AddMonthDays(month);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var channels = new List<ChannelTotal>();
        while (await r.ReadAsync(ct)) channels.Add(new ChannelTotal((PaymentChannel)r.GetInt16(0), r.GetInt32(1), r.GetDecimal(2)));
        await r.NextResultAsync(ct);
        var days = new List<DayTotal>();
        while (await r.ReadAsync(ct)) days.Add(new DayTotal(r.GetFieldValue<DateOnly>(0), r.GetInt32(1), r.GetDecimal(2)));
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        var (reversals, reversed) = (r.GetInt32(0), r.GetDecimal(1));
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        return new MonthPayments(channels, days, reversals, reversed, r.GetInt32(0), r.GetDecimal(1));
    }
}
