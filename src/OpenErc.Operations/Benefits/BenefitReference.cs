using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

namespace OpenErc.Operations.Benefits;

/// <summary>
/// The region's reference data of social support (benefits.md §0, §1): categories of beneficiaries and how benefits are
/// delivered, both effective-dated. A new row starts after the last one of its key: the row in force then is closed on
/// the new row's first day, in the same audited save, so the history reads as a chain without gaps or overlaps.
/// </summary>
public static class BenefitReference
{
    public static Task<List<BenefitCategory>> CategoriesAsync(OpenErcDbContext db, CancellationToken ct = default) =>
        db.BenefitCategories.AsNoTracking().OrderBy(c => c.Code).ThenBy(c => c.ValidFrom).ToListAsync(ct);

    public static Task<List<BenefitDelivery>> DeliveriesAsync(OpenErcDbContext db, CancellationToken ct = default) =>
        db.BenefitDeliveries.AsNoTracking().OrderBy(d => d.MunicipalityId).ThenBy(d => d.CategoryCode).ThenBy(d => d.ValidFrom).ToListAsync(ct);

    /// <summary>A category's row from its <c>ValidFrom</c> (a new code, or the next row of a known one).</summary>
    /// <exception cref="RegistryValidationException">The messages, in Russian; nothing is saved.</exception>
    public static async Task<BenefitCategory> AddCategoryAsync(OpenErcDbContext db, BenefitCategory category, CancellationToken ct = default)
    {
        category.Id = 0;
        category.Code = category.Code.Trim().ToUpperInvariant();
        var errors = RegistryValidation.Validate(category);
        var rows = await db.BenefitCategories.Where(c => c.Code == category.Code).ToListAsync(ct);
        Chain(rows, category, $"категории {category.Code}", errors, (r, day) => r.ValidTo = day);
        if (errors.Count > 0) throw new RegistryValidationException(errors);
        db.BenefitCategories.Add(category);
        await db.SaveChangesAsync(ct);
        return category;
    }

    /// <summary>A delivery mode for the region or a municipality, all categories or one, from its <c>ValidFrom</c>.</summary>
    /// <exception cref="RegistryValidationException">The messages, in Russian; nothing is saved.</exception>
    public static async Task<BenefitDelivery> AddDeliveryAsync(OpenErcDbContext db, BenefitDelivery delivery, CancellationToken ct = default)
    {
        delivery.Id = 0;
        delivery.CategoryCode = string.IsNullOrWhiteSpace(delivery.CategoryCode) ? null : delivery.CategoryCode.Trim().ToUpperInvariant();
        var errors = RegistryValidation.Validate(delivery);
        if (!Enum.IsDefined(delivery.Mode)) errors[nameof(BenefitDelivery.Mode)] = ["Способ предоставления: Cash (денежная компенсация) или InKind (скидка в платёжном документе)"];
        if (delivery.MunicipalityId is { } m && !await db.Municipalities.AnyAsync(x => x.Id == m, ct))
            errors[nameof(BenefitDelivery.MunicipalityId)] = [$"Муниципального образования с кодом {m} нет"];
        if (delivery.CategoryCode is { } code && !await db.BenefitCategories.AnyAsync(c => c.Code == code, ct))
            errors[nameof(BenefitDelivery.CategoryCode)] = [$"Категории «{code}» нет в справочнике категорий льготников"];
        var rows = await db.BenefitDeliveries.Where(d => d.MunicipalityId == delivery.MunicipalityId && d.CategoryCode == delivery.CategoryCode).ToListAsync(ct);
        Chain(rows, delivery, "способа предоставления для этого муниципального образования и категории", errors, (r, day) => r.ValidTo = day);
        if (errors.Count > 0) throw new RegistryValidationException(errors);
        db.BenefitDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        return delivery;
    }

    /// <summary>
    /// Links <paramref name="next"/> after the tracked <paramref name="rows"/> of its key: refused when one of them starts on
    /// or after its first day; otherwise the row in force on that day is closed on it.
    /// </summary>
    private static void Chain<T>(List<T> rows, T next, string what, Dictionary<string, string[]> errors, Action<T, DateOnly> close)
        where T : class, IEffectiveDated
    {
        var day = next.ValidFrom.ToString("dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture);
        if (rows.Any(r => r.ValidFrom >= next.ValidFrom))
        {
            errors[nameof(IEffectiveDated.ValidFrom)] = [$"У {what} уже есть строка с {day} или позже: новая строка начинается после последней"];
            return;
        }
        if (rows.SingleOrDefault(r => r.IsValidOn(next.ValidFrom)) is { } current) close(current, next.ValidFrom);
    }
}
