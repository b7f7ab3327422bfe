using OpenErc.Core.Common;

namespace OpenErc.Testing;

/// <summary>A clock the test sets: <see cref="Now"/> is what every reader gets, until the test moves it.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    private RegionClock? _region;

    public DateTimeOffset Now { get; set; } = now;

    /// <summary>Noon in Moscow on <paramref name="day"/>.</summary>
    public static FixedClock On(DateOnly day) => new(Noon(day));

    /// <summary>Moves the clock to noon in Moscow on <paramref name="day"/>.</summary>
    public void Set(DateOnly day) => Now = Noon(day);

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();

    /// <summary>The region's clock (Moscow) that reads this one.</summary>
    public RegionClock Region => _region ??= new RegionClock(this, RegionClock.FindZone(null));

    private static DateTimeOffset Noon(DateOnly day) => new(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.FromHours(3));
}

/// <summary>The region's clock of a test, at noon in Moscow on a stated day.</summary>
public static class TestClock
{
    public static RegionClock On(DateOnly day) => FixedClock.On(day).Region;

    public static RegionClock On(int year, int month, int day) => On(new DateOnly(year, month, day));

    /// <summary>Moves a test's clock (one made by <see cref="On(DateOnly)"/>) to noon of <paramref name="day"/>.</summary>
    public static void MoveTo(this RegionClock clock, DateOnly day) =>
        (clock.Time as FixedClock ?? throw new InvalidOperationException("Only a test's clock can be moved")).Set(day);
}
