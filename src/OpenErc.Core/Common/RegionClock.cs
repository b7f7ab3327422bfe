namespace OpenErc.Core.Common;

/// <summary>
/// The one clock of the system: the moment now and the region's business date (ARCHITECTURE.md §7). Every layer asks it
/// — web, command line, operations, the audit history, the sign-in journal, the banks' protocols, receipts, the
/// cabinet's reading window, penalties "on a date" — and nothing else reads the machine's clock (an architecture test
/// holds that). The moment comes from a <see cref="TimeProvider"/>: the machine's in production
/// (<see cref="Machine"/>), a test's own fixed one in tests, so that every test states its date.
/// </summary>
/// <remarks>
/// The region's time zone is configuration (<c>OpenErc:TimeZone</c>, default <see cref="DefaultZone"/>): a payment at
/// 23:30 in Samara (UTC+4) is paid on that day, not on the next one by Moscow's or the server's date. Core's own
/// calculations never take this type: "today" reaches them as a <see cref="DateOnly"/> parameter.
/// </remarks>
public sealed class RegionClock
{
    /// <summary>The region's time zone when none is configured.</summary>
    public const string DefaultZone = "Europe/Moscow";

    public RegionClock(TimeProvider time, TimeZoneInfo zone, WorkCalendar? calendar = null)
    {
        Time = time ?? throw new ArgumentNullException(nameof(time));
        Zone = zone ?? throw new ArgumentNullException(nameof(zone));
        Calendar = calendar ?? new WorkCalendar();
    }

    /// <summary>The clock on the machine's time: the production clock.</summary>
    public static RegionClock Machine(string? zone = null, WorkCalendar? calendar = null) => new(MachineTime, FindZone(zone), calendar);

    /// <summary>
    /// The machine's time, the only reading of it in the code. The web framework's own timing (session cookies, sign-in
    /// lockouts, data-protection keys) runs on it, as do the browser's and HTTP clients' cookie jars: it is no business
    /// date, and a test that moves the region's clock does not end the sessions of its browser.
    /// </summary>
    public static TimeProvider MachineTime => TimeProvider.System;

    /// <summary>The time zone by its IANA name (<c>Europe/Samara</c>); empty: <see cref="DefaultZone"/>.</summary>
    /// <exception cref="ArgumentException">No such zone on this machine (the message is in Russian, for the operator).</exception>
    public static TimeZoneInfo FindZone(string? id)
    {
        id = string.IsNullOrWhiteSpace(id) ? DefaultZone : id.Trim();
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"Часовой пояс региона «{id}» не найден (OpenErc:TimeZone; нужны данные tzdata)", nameof(id), e);
        }
    }

    /// <summary>Where the moment comes from.</summary>
    public TimeProvider Time { get; }

    /// <summary>The region's time zone.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>The region's working days (<c>OpenErc:WorkCalendar</c>): deadlines in working days count on it.</summary>
    public WorkCalendar Calendar { get; }

    /// <summary>The moment now (UTC).</summary>
    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The moment now on the region's wall clock.</summary>
    public DateTimeOffset LocalNow => Local(Now);

    /// <summary>The region's business date.</summary>
    public DateOnly Today => DateOf(Now);

    /// <summary>The calendar month of <see cref="Today"/> (not necessarily the open billing month).</summary>
    public BillingPeriod CurrentMonth => BillingPeriod.Of(Today);

    /// <summary>The moment on the region's wall clock.</summary>
    public DateTimeOffset Local(DateTimeOffset moment) => TimeZoneInfo.ConvertTime(moment, Zone);

    /// <summary>The region's date of a moment: the business day of a payment, a reading or a signature.</summary>
    public DateOnly DateOf(DateTimeOffset moment) => DateOnly.FromDateTime(Local(moment).DateTime);

    /// <summary>The moment a time on the region's wall clock stands for (a bank's <c>PAY_DATE</c>, an incident's start).</summary>
    public DateTimeOffset FromLocal(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>
    /// <see cref="FromLocal"/> for a wall-clock time read from outside (a bank's date, a registry's line) that may lie
    /// beyond what a moment can be — 01.01.0001 00:00 east of Greenwich is before the first moment: false then.
    /// </summary>
    public bool TryFromLocal(DateTime local, out DateTimeOffset moment)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var offset = Zone.GetUtcOffset(local);
        long utc = local.Ticks - offset.Ticks;
        bool valid = utc >= DateTime.MinValue.Ticks && utc <= DateTime.MaxValue.Ticks;
        moment = valid ? new DateTimeOffset(local, offset) : default;
        return valid;
    }

    /// <summary>The first moment of <paramref name="day"/> in the region.</summary>
    public DateTimeOffset StartOf(DateOnly day) => FromLocal(day.ToDateTime(TimeOnly.MinValue));
}
