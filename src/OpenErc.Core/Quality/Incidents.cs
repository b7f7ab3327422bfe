using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;

namespace OpenErc.Core.Quality;

/// <summary>
/// A registered service incident (recalculations.md §2): an interruption or a deviation of quality of one service
/// in a building or in one premise over <c>[StartedAt, EndedAt)</c>, local time, from the dispatch log or an act.
/// The charge run turns the incidents of a month into reductions by Приложение 1 to ПП 354 (<see cref="QualityTable"/>).
/// </summary>
public sealed class Incident : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }
    public long BuildingId { get; set; }

    /// <summary>The affected premise; null = the whole building.</summary>
    public long? PremiseId { get; set; }

    public long ServiceId { get; set; }

    [EnumDataType(typeof(IncidentKind), ErrorMessage = "Неизвестный вид нарушения")]
    public IncidentKind Kind { get; set; } = IncidentKind.Interruption;

    /// <summary>Local time the deviation started (a time zone given with it is dropped: the log is kept in local time).</summary>
    public DateTime StartedAt { get => _startedAt; set => _startedAt = DateTime.SpecifyKind(value, DateTimeKind.Unspecified); }

    /// <summary>Local time it ended (exclusive); null while it lasts (the incident is open: the run does not reduce by it yet).</summary>
    public DateTime? EndedAt { get => _endedAt; set => _endedAt = value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Unspecified) : null; }

    private DateTime _startedAt;
    private DateTime? _endedAt;

    /// <summary>The executor's responsible person checked its scope, times and measurements (passport-and-dispatch.md §8).</summary>
    public bool Verified { get; set; }

    /// <summary>Not confirmed or a duplicate: the run ignores it.</summary>
    public bool Cancelled { get; set; }

    /// <summary>The state of §8: open until its end is fixed, then restored, verified; or cancelled.</summary>
    public IncidentStatus Status => StatusOf(Cancelled, EndedAt, Verified);

    public static IncidentStatus StatusOf(bool cancelled, DateTime? endedAt, bool verified) =>
        cancelled ? IncidentStatus.Cancelled : endedAt is null ? IncidentStatus.Open : verified ? IncidentStatus.Verified : IncidentStatus.Restored;

    /// <summary>°C below the norm (negative = above), for temperature deviations.</summary>
    [Range(typeof(decimal), "-100", "100", ErrorMessage = "Отклонение температуры должно быть от −100 до 100 °C")]
    public decimal? DeviationDegrees { get; set; }

    /// <summary>Pressure deviation from the allowed range, %.</summary>
    [Range(typeof(decimal), "0", "1000", ErrorMessage = "Отклонение давления должно быть от 0 до 1000 %")]
    public decimal? DeviationPercent { get; set; }

    /// <summary>Room air during a heating interruption, or the average daily outdoor air during a waste removal delay, °C.</summary>
    [Range(typeof(decimal), "-80", "60", ErrorMessage = "Температура должна быть от −80 до 60 °C")]
    public decimal? Temperature { get; set; }

    [Required(ErrorMessage = "Укажите основание (акт или запись журнала)"), StringLength(300, ErrorMessage = "Основание длиннее 300 символов")]
    public string Document { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BuildingId <= 0) yield return new("Укажите дом", [nameof(BuildingId)]);
        if (ServiceId <= 0) yield return new("Укажите услугу", [nameof(ServiceId)]);
        if (StartedAt == default) yield return new("Укажите начало нарушения", [nameof(StartedAt)]);
        if (EndedAt is null && Verified) yield return new("Проверить можно только устранённое нарушение: укажите окончание", [nameof(EndedAt)]);
        if (EndedAt <= StartedAt) yield return new("Окончание нарушения должно быть позже начала", [nameof(EndedAt)]);
        if (Kind == IncidentKind.LowTemperature && DeviationDegrees is null)
            yield return new("Укажите отклонение температуры", [nameof(DeviationDegrees)]);
        if (Kind == IncidentKind.PressureDeviation && DeviationPercent is null)
            yield return new("Укажите отклонение давления", [nameof(DeviationPercent)]);
    }
}

public enum IncidentStatus
{
    [Display(Name = "Не устранено")] Open = 1,
    [Display(Name = "Устранено")] Restored = 2,
    [Display(Name = "Проверено")] Verified = 3,
    [Display(Name = "Отменено")] Cancelled = 4,
}
