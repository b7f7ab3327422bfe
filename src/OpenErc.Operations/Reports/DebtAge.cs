using OpenErc.Core.Common;
using OpenErc.Operations.Payments;

namespace OpenErc.Operations.Reports;

/// <summary>
/// Current and overdue debt and the age buckets of reports.md §0.3, in one place. A debt of service month <c>S</c> is due
/// on <see cref="PaymentPosting.DueDate"/> (the penalty engine's due date); on day <c>D</c> it is current while
/// <c>D ≤ DD(S)</c>, else overdue, of age <c>n</c> = the largest <c>k ≥ 0</c> with <c>DD + k months &lt; D</c> (the day clamped
/// to the month's end), bucketed «до 1 мес.» (0), «1–3 мес.» (1–2), «3–6 мес.» (3–5), «6–12 мес.» (6–11), «свыше 12 мес.».
/// </summary>
public static class DebtAge
{
    public const int Current = 0;

    public static readonly IReadOnlyList<string> Buckets =
        ["Текущая (срок оплаты не наступил)", "до 1 мес.", "1–3 мес.", "3–6 мес.", "6–12 мес.", "свыше 12 мес."];

    /// <summary>The bucket of a debt of <paramref name="serviceMonth"/> on <paramref name="day"/>: <see cref="Current"/> or 1–5.</summary>
    public static int Bucket(BillingPeriod serviceMonth, DateOnly day)
    {
        var due = PaymentPosting.DueDate(serviceMonth);
        if (day <= due) return Current;
        int n = 0;
        while (n < 12 && due.AddMonths(n + 1) < day) n++;
        return n switch { 0 => 1, <= 2 => 2, <= 5 => 3, <= 11 => 4, _ => 5 };
    }

    /// <summary>
    /// The newest service month of each overdue bucket 1…5 on <paramref name="day"/> (index 0 for bucket 1), null where no
    /// month of the last twenty years is that old: buckets only grow as months get older, so a month is in the highest
    /// bucket whose bound it does not pass.
    /// </summary>
    public static BillingPeriod?[] Bounds(DateOnly day)
    {
        var bounds = new BillingPeriod?[Buckets.Count - 1];
        var month = BillingPeriod.Of(day);
        for (int i = 0; i < 240; i++)
        {
            int bucket = Bucket(month, day);
            for (int b = 1; b <= bucket; b++) bounds[b - 1] ??= month;
            if (bucket == Buckets.Count - 1 || month == BillingPeriod.MinValue) break;
            month = month.Previous();
        }
        return bounds;
    }

    /// <summary>The general limitation period for a claim, years (ГК РФ ст. 196 [recalled]), counted from the day the bill fell due (ст. 200).</summary>
    public const int LimitationYears = 3;

    /// <summary>
    /// The newest service month whose debt is beyond the limitation period on <paramref name="day"/>: its due date
    /// (<see cref="PaymentPosting.DueDate"/>) plus <see cref="LimitationYears"/> years is before the day; every older month
    /// is beyond it too, since due dates only grow with the month.
    /// </summary>
    public static BillingPeriod LimitationBound(DateOnly day)
    {
        var month = BillingPeriod.Of(day);
        while (PaymentPosting.DueDate(month).AddYears(LimitationYears) >= day && month > BillingPeriod.MinValue) month = month.Previous();
        return month;
    }

    /// <summary>The bucket of a service month <paramref name="column"/> (a date, the month's first day) on <paramref name="day"/>, as SQL.</summary>
    public static string Sql(string column, DateOnly day)
    {
        var bounds = Bounds(day);
        return "CASE" + string.Concat(Enumerable.Range(1, bounds.Length).Reverse().Where(b => bounds[b - 1] is not null)
            .Select(b => $" WHEN {column} <= '{bounds[b - 1]!.Value.FirstDay:yyyy-MM-dd}' THEN {b}")) + $" ELSE {Current} END";
    }
}
