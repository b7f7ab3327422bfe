namespace OpenErc.Core.Common;

/// <summary>A half-open range of business dates <c>[From, To)</c>; <c>To = null</c> means open-ended.</summary>
public readonly record struct DateRange(DateOnly From, DateOnly? To)
{
    public bool Contains(DateOnly day) => day >= From && (To is null || day < To.Value);

    public bool Overlaps(DateRange other) =>
        (other.To is null || From < other.To.Value) && (To is null || other.From < To.Value);

    public bool IsEmpty => To is { } to && to <= From;
}
