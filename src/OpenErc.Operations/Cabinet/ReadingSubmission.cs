using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Storage;

namespace OpenErc.Operations.Cabinet;

/// <summary>
/// The rules of readings a citizen submits. The submission window is the days of the month when readings are taken
/// (ПП 354 п. 31 «е(1)» uses readings received up to the 25th for the month; the opening day is the centre's choice, so
/// both are settings). A jump is a volume since the previous reading above <see cref="JumpFactor"/> times the average
/// monthly volume of the meter's history (at least <see cref="JumpMinimum"/>); it is saved only once the person confirms.
/// </summary>
public sealed record ReadingRules(int WindowFromDay = 15, int WindowToDay = 25, decimal JumpFactor = 3m, decimal JumpMinimum = 10m, decimal RolloverMaxShare = 0.1m)
{
    public bool InWindow(DateOnly day) => day.Day >= WindowFromDay && day.Day <= Math.Min(WindowToDay, DateTime.DaysInMonth(day.Year, day.Month));
}

/// <summary>The outcome of a submission: saved, a warning to confirm, or the messages of a refusal (nothing saved then).</summary>
public sealed record ReadingOutcome(long? ReadingId, decimal? Volume, string? Warning, IReadOnlyList<string> Errors)
{
    public bool Saved => ReadingId is not null;
}

public static class ReadingSubmission
{
    /// <summary>The channels through which the centre's staff take readings (the cabinet, banks and imports have their own paths).</summary>
    public static readonly IReadOnlyList<ReadingSource> StaffSources = [ReadingSource.Operator, ReadingSource.Phone, ReadingSource.Inspection];

    /// <summary>
    /// Checks a reading of <paramref name="meterId"/>'s register <paramref name="zone"/> against the rules and, when it
    /// passes (and a jump is <paramref name="confirmed"/>), saves it for <paramref name="today"/> as a cabinet reading,
    /// stamped with <paramref name="enteredBy"/> and audited. The cabinet takes readings only within the window.
    /// </summary>
    public static async Task<ReadingOutcome> SubmitAsync(OpenErcDbContext db, long accountId, long meterId, int zone, decimal? value, bool confirmed,
        DateOnly today, DateTimeOffset now, ReadingRules rules, string enteredBy, CancellationToken ct = default)
    {
        var premiseId = await db.Accounts.Where(a => a.Id == accountId).Select(a => a.PremiseId).SingleAsync(ct);
        var meter = await db.Meters.AsNoTracking().SingleOrDefaultAsync(m => m.Id == meterId && (m.PremiseId == premiseId || m.AccountId == accountId), ct);
        if (meter is null) return Refused("Прибор учёта не относится к этому лицевому счёту");
        return await SaveAsync(db, meter, zone, value, today, ReadingSource.Cabinet, confirmed, now, rules, enteredBy,
            "Показание передано в личном кабинете", ct, inWindow: true);
    }

    /// <summary>
    /// A reading taken by the centre's staff (at the counter, by phone, on a round) and dated <paramref name="readOn"/> —
    /// any day from the meter's installation to <paramref name="today"/>: the cabinet's checks of the value, the
    /// channel and the operator recorded. A reading dated in a closed month is a registry change like any other: the
    /// recalculation queue takes its building.
    /// </summary>
    public static async Task<ReadingOutcome> EnterAsync(OpenErcDbContext db, long meterId, int zone, decimal? value, DateOnly readOn, ReadingSource source,
        bool confirmed, DateOnly today, DateTimeOffset now, ReadingRules rules, string enteredBy, CancellationToken ct = default)
    {
        if (!StaffSources.Contains(source)) return Refused("Выберите, как получено показание: оператор, телефон или обход контролёра");
        var meter = await db.Meters.AsNoTracking().SingleOrDefaultAsync(m => m.Id == meterId, ct);
        if (meter is null) return Refused("Прибор учёта не найден");
        if (readOn > today) return Refused($"Дата показания {readOn:dd.MM.yyyy} ещё не наступила");
        if (readOn < meter.InstalledOn) return Refused($"Прибор учёта {meter.SerialNumber} установлен {meter.InstalledOn:dd.MM.yyyy}: показание не может быть раньше");
        return await SaveAsync(db, meter, zone, value, readOn, source, confirmed, now, rules, enteredBy, $"Показание принято: {source.Title()}", ct);
    }

    internal static async Task<ReadingOutcome> SaveAsync(OpenErcDbContext db, Meter meter, int zone, decimal? value, DateOnly readOn, ReadingSource source,
        bool confirmed, DateTimeOffset now, ReadingRules rules, string enteredBy, string reason, CancellationToken ct, bool inWindow = false)
    {
        if (meter.RemovedOn is { } removed && removed <= readOn) return Refused($"Прибор учёта {meter.SerialNumber} снят {removed:dd.MM.yyyy}: показания не принимаются");
        if (inWindow && !rules.InWindow(readOn))
            return Refused($"Показания принимаются с {rules.WindowFromDay} по {rules.WindowToDay} число месяца");
        if (zone < 1 || zone > meter.Zones) return Refused($"У прибора {meter.SerialNumber} нет зоны {zone}");
        if (value is not { } v) return Refused("Введите показание");
        if (v < 0) return Refused("Показание не может быть отрицательным");
        if (decimal.Round(v, 4) != v) return Refused("Показание указывается не более чем с 4 знаками после запятой");
        if (meter.Digits > 0 && v >= ChargeFormulas.RegisterCapacity(meter.Digits)) return Refused($"В показании больше {meter.Digits} цифр до запятой: у прибора {meter.Digits}-разрядный счётчик");

        var history = await db.MeterReadings.AsNoTracking().Where(r => r.MeterId == meter.Id && r.Zone == zone)
            .OrderBy(r => r.ReadOn).ThenBy(r => r.Id).Select(r => new { r.ReadOn, r.Value }).ToListAsync(ct);
        if (history.Any(r => r.ReadOn == readOn)) return Refused($"Показание на {readOn:dd.MM.yyyy} уже передано: {N(history.Last(r => r.ReadOn == readOn).Value)}");
        // A reading between two others must fit between them.
        if (history.FirstOrDefault(r => r.ReadOn > readOn) is { } next && ChargeFormulas.RegisterVolume(v, next.Value, meter.Digits, rules.RolloverMaxShare) is null)
            return Refused($"Показание {N(v)} больше следующего ({N(next.Value)} на {next.ReadOn:dd.MM.yyyy})");
        decimal? volume = null;
        var before = history.Where(r => r.ReadOn < readOn).Select(r => (r.ReadOn, r.Value)).ToList();
        if (before.Count > 0)
        {
            var previous = before[^1];
            volume = ChargeFormulas.RegisterVolume(previous.Value, v, meter.Digits, rules.RolloverMaxShare);
            if (volume is null) return Refused($"Показание {N(v)} меньше предыдущего ({N(previous.Value)} на {previous.ReadOn:dd.MM.yyyy})");
            if (!confirmed && Jump(before, volume.Value, previous.ReadOn, readOn, meter.Digits, rules) is { } warning)
                return new(null, volume, warning, []);
        }

        db.Actor = enteredBy;
        db.Reason = reason;
        var reading = new MeterReading { MeterId = meter.Id, Zone = zone, ReadOn = readOn, Value = v, Source = source, EnteredBy = enteredBy, EnteredAt = now };
        db.MeterReadings.Add(reading);
        await db.SaveChangesAsync(ct);
        return new(reading.Id, volume, null, []);
    }

    /// <summary>A warning when the volume per month since the previous reading exceeds the history's average by the rules' factor.</summary>
    private static string? Jump(List<(DateOnly On, decimal Value)> history, decimal volume, DateOnly previousOn, DateOnly today, int digits, ReadingRules rules)
    {
        if (history.Count < 2) return null;
        decimal total = 0;
        for (int i = 1; i < history.Count; i++)
            total += ChargeFormulas.RegisterVolume(history[i - 1].Value, history[i].Value, digits, rules.RolloverMaxShare) ?? 0;
        decimal months = Math.Max(1m, (history[^1].On.DayNumber - history[0].On.DayNumber) / 30.4m);
        decimal average = total / months;
        decimal monthly = volume / Math.Max(1m, (today.DayNumber - previousOn.DayNumber) / 30.4m);
        decimal limit = Math.Max(average * rules.JumpFactor, rules.JumpMinimum);
        return monthly > limit
            ? $"Расход {N(volume)} с {previousOn:dd.MM.yyyy} — около {N(decimal.Round(monthly, 1))} в месяц, больше обычного ({N(decimal.Round(average, 1))} в месяц). Проверьте показание; если оно верно, подтвердите передачу."
            : null;
    }

    private static ReadingOutcome Refused(string message) => new(null, null, null, [message]);

    /// <summary>A reading or a volume in a message: as people write it (a comma, no trailing zeros of the stored scale).</summary>
    private static string N(decimal value) => value.ToString("0.####", System.Globalization.CultureInfo.GetCultureInfo("ru-RU"));
}
