namespace OpenErc.Testing;

/// <summary>A clock the test sets: <see cref="Now"/> is what every reader gets.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    /// <summary>Noon in Moscow on <paramref name="day"/>.</summary>
    public static FixedClock On(DateOnly day) => new(new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.FromHours(3)));

    public void Set(DateOnly day) => Now = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.FromHours(3));

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
