using System.Globalization;
using OpenErc.Core.Common;

namespace OpenErc.Core.Payments;

/// <summary>
/// The dates a payment an agent sends may bear. The payer's day stops penalties on the debts it pays (payments.md §7),
/// so a wrong date moves money: a mistyped year (01.06.2015) would write off years of penalties, a date ahead would
/// stop them before the money came. Configured under <c>OpenErc:Payments</c>; refusals are in Russian, for the agent's
/// and the operator's eyes.
/// </summary>
/// <remarks>
/// <para><b>Future.</b> An online payment is sent as it is made: its <c>PAY_DATE</c>/<c>txn_date</c> may run ahead of
/// the region's clock only by the skew of two synchronised clocks, <see cref="FutureToleranceMinutes"/> (10 by
/// default). A bank writing another time zone than the region's is a configuration error that this catches on the
/// first payment rather than shifting days by hours. A registry lists days (its times are the branches' clocks), so it
/// is held to days: none after today.</para>
/// <para><b>Past.</b> An online payment older than <see cref="OnlineMaxAgeDays"/> (45 by default: a month and a half
/// covers a bank's repeats after an outage and a month's reconciliation) is a wrong date, not a late message. A registry
/// may come weeks late (the post's, one re-sent after a rejection): <see cref="RegistryMaxAgeDays"/>, a year by default,
/// still catches a mistyped year.</para>
/// <para><b>Before the account.</b> Checked where the account is found (the posting's «refuse before opening»):
/// nobody pays for an account before it is opened, so the date or the account number is wrong.</para>
/// </remarks>
public sealed record PaymentDates
{
    /// <summary>The defaults documented above.</summary>
    public static readonly PaymentDates Default = new();

    /// <summary>How far an online payment's time may run ahead of the region's clock, minutes (0–1440).</summary>
    public int FutureToleranceMinutes { get; init; } = 10;

    /// <summary>How many days back an online payment may be dated (1–3650).</summary>
    public int OnlineMaxAgeDays { get; init; } = 45;

    /// <summary>How many days back a registry's payment may be dated (1–3650).</summary>
    public int RegistryMaxAgeDays { get; init; } = 365;

    /// <summary>The settings out of their ranges, in Russian (for the operator who configured them); empty when valid.</summary>
    public IEnumerable<string> Problems()
    {
        if (FutureToleranceMinutes is < 0 or > 1440) yield return $"OpenErc:Payments:FutureToleranceMinutes — от 0 до 1440 минут, а не {FutureToleranceMinutes}";
        if (OnlineMaxAgeDays is < 1 or > 3650) yield return $"OpenErc:Payments:OnlineMaxAgeDays — от 1 до 3650 дней, а не {OnlineMaxAgeDays}";
        if (RegistryMaxAgeDays is < 1 or > 3650) yield return $"OpenErc:Payments:RegistryMaxAgeDays — от 1 до 3650 дней, а не {RegistryMaxAgeDays}";
    }

    /// <summary>Why an online payment made at <paramref name="local"/> (the region's wall clock) is refused, or null.</summary>
    public string? RefuseOnline(DateTime local, RegionClock clock)
    {
        var now = clock.LocalNow.DateTime;
        // Compared as wall-clock times: no conversion of a date that may not be a moment at all (01.01.0001 00:00).
        if (local > now.AddMinutes(FutureToleranceMinutes))
            return $"Дата платежа {Text(local)} в будущем: сейчас {Text(now)}, опережение допускается не больше чем на {FutureToleranceMinutes} мин";
        return TooOld(DateOnly.FromDateTime(local), clock.Today, OnlineMaxAgeDays);
    }

    /// <summary>Why a registry's payment of <paramref name="day"/> is refused, or null.</summary>
    public string? RefuseRegistry(DateOnly day, DateOnly today) =>
        day > today ? $"Дата платежа {Text(day)} позже сегодняшней ({Text(today)})" : TooOld(day, today, RegistryMaxAgeDays);

    /// <summary>The refusal of a payment dated before its account was opened.</summary>
    public static string BeforeOpening(string accountNumber, DateOnly paidOn, DateOnly openedOn) =>
        $"Дата платежа {Text(paidOn)} раньше открытия лицевого счёта {accountNumber} ({Text(openedOn)})";

    private static string? TooOld(DateOnly day, DateOnly today, int maxAgeDays)
    {
        var earliest = DateOnly.FromDayNumber(Math.Max(0, today.DayNumber - maxAgeDays));
        return day < earliest ? $"Дата платежа {Text(day)} слишком давняя: принимаются платежи не старше {maxAgeDays} дн., с {Text(earliest)}" : null;
    }

    private static string Text(DateOnly day) => day.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);

    private static string Text(DateTime moment) => moment.ToString("dd.MM.yyyy HH:mm:ss", CultureInfo.InvariantCulture);
}
