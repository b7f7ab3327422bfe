using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Operations.Cabinet;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>The new meter of a replacement: what differs from the old one, and its readings on the day it is installed.</summary>
public sealed record NewMeter(string SerialNumber, string? Model, int Digits, DateOnly? VerifiedOn, DateOnly? NextVerificationOn, DateOnly? SealedOn,
    IReadOnlyList<decimal?> InitialReadings);

/// <summary>
/// The БТИ's replacement of a meter (housing.md; ПП 354 п. 81): on the day of the replacement the old meter takes its
/// final reading of every register and is removed, and the new one — the same kind, resource and place — is installed
/// with its initial readings. The old meter's month counts up to its final reading, the new one's from its initial one.
/// All of it is saved in one transaction or nothing is.
/// </summary>
public static class MeterReplacement
{
    public static async Task<Meter> ReplaceAsync(OpenErcDbContext db, long meterId, DateOnly on, IReadOnlyList<decimal?> finalReadings, NewMeter replacement,
        DateOnly today, DateTimeOffset now, ReadingRules rules, string actor, CancellationToken ct = default)
    {
        var old = await db.Meters.SingleOrDefaultAsync(m => m.Id == meterId, ct)
                  ?? throw Invalid("meterId", $"Прибор учёта №{meterId} не найден");
        if (old.RemovedOn is { } removed) throw Invalid("meterId", $"Прибор учёта {old.SerialNumber} уже снят {removed:dd.MM.yyyy}");
        if (on <= old.InstalledOn) throw Invalid("on", $"Дата замены должна быть позже установки прибора ({old.InstalledOn:dd.MM.yyyy})");
        if (on > today) throw Invalid("on", $"Дата замены {on:dd.MM.yyyy} ещё не наступила");
        if (finalReadings.Count != old.Zones || replacement.InitialReadings.Count != old.Zones)
            throw Invalid("finalReadings", $"Нужны показания всех зон прибора ({old.Zones})");

        var meter = new Meter
        {
            Kind = old.Kind, Resource = old.Resource, BuildingId = old.BuildingId, PremiseId = old.PremiseId, AccountId = old.AccountId, Zones = old.Zones,
            SerialNumber = replacement.SerialNumber.Trim(), Model = string.IsNullOrWhiteSpace(replacement.Model) ? null : replacement.Model.Trim(),
            Digits = replacement.Digits, InstalledOn = on, SealedOn = replacement.SealedOn, VerifiedOn = replacement.VerifiedOn,
            NextVerificationOn = replacement.NextVerificationOn,
        };
        var invalid = RegistryValidation.Validate(meter);
        if (invalid.Count > 0) throw new RegistryValidationException(invalid);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        string reason = $"Замена прибора учёта {old.SerialNumber} на {meter.SerialNumber} {on:dd.MM.yyyy}";
        for (int zone = 1; zone <= old.Zones; zone++)
        {
            var final = await ReadingSubmission.SaveAsync(db, old, zone, finalReadings[zone - 1], on, ReadingSource.Operator, confirmed: true, now, rules, actor,
                reason, ct);
            if (!final.Saved) throw Invalid($"finalReadings[{zone - 1}]", $"Конечное показание{ZoneName(old.Zones, zone)}: {string.Join(" ", final.Errors)}");
        }
        old.RemovedOn = on;
        db.Meters.Add(meter);
        db.Actor = actor;
        db.Reason = reason;
        await db.SaveChangesAsync(ct);
        for (int zone = 1; zone <= meter.Zones; zone++)
        {
            var initial = await ReadingSubmission.SaveAsync(db, meter, zone, replacement.InitialReadings[zone - 1] ?? 0m, on, ReadingSource.Operator, confirmed: true,
                now, rules, actor, reason, ct);
            if (!initial.Saved) throw Invalid($"initialReadings[{zone - 1}]", $"Начальное показание{ZoneName(meter.Zones, zone)}: {string.Join(" ", initial.Errors)}");
        }
        await tx.CommitAsync(ct);
        return meter;
    }

    private static string ZoneName(int zones, int zone) => zones == 1 ? "" : $" (зона Т{zone})";

    private static RegistryValidationException Invalid(string field, string message) => new(new() { [field] = [message] });
}
