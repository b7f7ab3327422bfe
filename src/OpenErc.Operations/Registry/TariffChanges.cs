using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>The calculator's change of a tariff from a date: the old rate ends the day before, the new one goes on.</summary>
public static class TariffChanges
{
    /// <summary>
    /// Sets <paramref name="rate"/> from <paramref name="from"/> on for the tariff row <paramref name="tariffId"/>: the row
    /// ends that day and a new row with the same service, supplier, territory, zone and part starts it, running to the old
    /// row's end; a change from the row's own first day corrects its rate. The history keeps both rows with the reason;
    /// a day in a month already charged queues the buildings for recalculation, as any registry change. Bad input throws
    /// <see cref="RegistryValidationException"/> with the messages in Russian and saves nothing.
    /// </summary>
    public static async Task<Tariff> ChangeFromAsync(OpenErcDbContext db, long tariffId, DateOnly from, decimal? rate, string? reason, string actor,
        CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (rate is null) errors["rate"] = ["Укажите новый тариф"];
        if (string.IsNullOrWhiteSpace(reason)) errors["reason"] = ["Укажите основание изменения (приказ, постановление)"];
        var old = await db.Tariffs.SingleOrDefaultAsync(t => t.Id == tariffId, ct);
        if (old is null) errors["tariffId"] = [$"Тариф №{tariffId} не найден"];
        else if (from < old.ValidFrom || old.ValidTo is { } end && from >= end)
            errors["from"] = [$"Дата {from:dd.MM.yyyy} вне срока действия тарифа ({(old.ValidTo is { } to ? $"с {old.ValidFrom:dd.MM.yyyy} по {to.AddDays(-1):dd.MM.yyyy}" : $"с {old.ValidFrom:dd.MM.yyyy}")})"];
        if (errors.Count > 0) throw new RegistryValidationException(errors);

        Tariff result;
        if (from == old!.ValidFrom)
        {
            old.Rate = rate!.Value;
            result = old;
        }
        else
        {
            result = new Tariff
            {
                SupplierId = old.SupplierId, ServiceId = old.ServiceId, MunicipalityId = old.MunicipalityId, BuildingId = old.BuildingId,
                Zone = old.Zone, Part = old.Part, Rate = rate!.Value, ValidFrom = from, ValidTo = old.ValidTo,
            };
            old.ValidTo = from;
            db.Tariffs.Add(result);
        }
        var invalid = RegistryValidation.Validate(result);
        if (invalid.Count > 0) throw new RegistryValidationException(invalid);
        db.Actor = actor;
        db.Reason = reason!.Trim();
        await db.SaveChangesAsync(ct);
        return result;
    }
}
