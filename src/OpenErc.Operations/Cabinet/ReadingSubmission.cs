using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Charges;
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
    /// <summary>
    /// Checks a reading of <paramref name="meterId"/>'s register <paramref name="zone"/> against the rules and, when it
    /// passes (and a jump is <paramref name="confirmed"/>), saves it for <paramref name="today"/> as a cabinet reading,
    /// stamped with <paramref name="enteredBy"/> and audited.
    /// </summary>
    public static async Task<ReadingOutcome> SubmitAsync(OpenErcDbContext db, long accountId, long meterId, int zone, decimal? value, bool confirmed,
        DateOnly today, DateTimeOffset now, ReadingRules rules, string enteredBy, CancellationToken ct = default)
    {
        var premiseId = await db.Accounts.Where(a => a.Id == accountId).Select(a => a.PremiseId).SingleAsync(ct);
        var meter = await db.Meters.AsNoTracking().SingleOrDefaultAsync(m => m.Id == meterId && (m.PremiseId == premiseId || m.AccountId == accountId), ct);
        if (meter is null) return Refused("Прибор учёта не относится к этому лицевому счёту");
        if (meter.RemovedOn is { } removed && removed <= today) return Refused($"Прибор учёта {meter.SerialNumber} снят {removed:dd.MM.yyyy}: показания не принимаются");
        if (!rules.InWindow(today))
            return Refused($"Показания принимаются с {rules.WindowFromDay} по {rules.WindowToDay} число месяца");
        if (zone < 1 || zone > meter.Zones) return Refused($"У прибора {meter.SerialNumber} нет зоны {zone}");
        if (value is not { } v) return Refused("Введите показание");
        if (v < 0) return Refused("Показание не может быть отрицательным");
        if (decimal.Round(v, 4) != v) return Refused("Показание указывается не более чем с 4 знаками после запятой");
        if (meter.Digits > 0 && v >= ChargeFormulas.RegisterCapacity(meter.Digits)) return Refused($"В показании больше {meter.Digits} цифр до запятой: у прибора {meter.Digits}-разрядный счётчик");

        var history = await db.MeterReadings.AsNoTracking().Where(r => r.MeterId == meterId && r.Zone == zone)
            .OrderBy(r => r.ReadOn).ThenBy(r => r.Id).Select(r => new { r.ReadOn, r.Value }).ToListAsync(ct);
        if (history.Any(r => r.ReadOn == today)) return Refused($"Показание на {today:dd.MM.yyyy} уже передано: {history.Last(r => r.ReadOn == today).Value}");
        decimal? volume = null;
        if (history.LastOrDefault(r => r.ReadOn < today) is { } previous)
        {
            volume = ChargeFormulas.RegisterVolume(previous.Value, v, meter.Digits, rules.RolloverMaxShare);
            if (volume is null) return Refused($"Показание {v} меньше предыдущего ({previous.Value} на {previous.ReadOn:dd.MM.yyyy})");
            if (!confirmed && Jump(history.Where(r => r.ReadOn < today).Select(r => (r.ReadOn, r.Value)).ToList(), volume.Value, previous.ReadOn, today, meter.Digits, rules)
                is { } warning)
                return new(null, volume, warning, []);
        }

        db.Actor = enteredBy;
        db.Reason = "Показание передано в личном кабинете";
        var reading = new MeterReading { MeterId = meterId, Zone = zone, ReadOn = today, Value = v, Source = ReadingSource.Cabinet, EnteredBy = enteredBy, EnteredAt = now };
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
            ? $"Расход {volume:0.####} с {previousOn:dd.MM.yyyy} — около {monthly:0.#} в месяц, больше обычного ({average:0.#} в месяц). Проверьте показание; если оно верно, подтвердите передачу."
            : null;
    }

    private static ReadingOutcome Refused(string message) => new(null, null, null, [message]);
}
