using System.ComponentModel.DataAnnotations;

namespace OpenErc.Core.Common;

/// <summary>
/// A fact that holds over a half-open range of business dates <c>[ValidFrom, ValidTo)</c>;
/// <c>ValidTo = null</c> means "until further notice".
/// </summary>
public interface IEffectiveDated
{
    DateOnly ValidFrom { get; }
    DateOnly? ValidTo { get; }
}

public static class EffectiveDated
{
    public static DateRange Range(this IEffectiveDated item) => new(item.ValidFrom, item.ValidTo);

    public static bool IsValidOn(this IEffectiveDated item, DateOnly day) => item.Range().Contains(day);

    /// <summary>The items in force on <paramref name="day"/> (the start day counts, the end day does not).</summary>
    public static IEnumerable<T> ValidOn<T>(this IEnumerable<T> items, DateOnly day) where T : IEffectiveDated =>
        items.Where(i => i.IsValidOn(day));

    /// <summary>The single item in force on <paramref name="day"/>, or null; two at once is a data error.</summary>
    public static T? SingleValidOn<T>(this IEnumerable<T> items, DateOnly day) where T : class, IEffectiveDated =>
        items.ValidOn(day).SingleOrDefault();

    /// <summary>Validation shared by every effective-dated record: the range must not be empty.</summary>
    public static IEnumerable<ValidationResult> ValidateRange(this IEffectiveDated item)
    {
        if (item.ValidTo is { } to && to <= item.ValidFrom)
            yield return new ValidationResult("Дата окончания должна быть позже даты начала", [nameof(IEffectiveDated.ValidTo)]);
    }
}
