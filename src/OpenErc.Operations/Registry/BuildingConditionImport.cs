using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Exchange.Legacy;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>
/// Loads a workbook of buildings' condition (<see cref="BuildingConditionFile"/>) into the building cards: whole or not at
/// all, every refused row with its place and reason. An inspection is one building × element × date, a work one building
/// × element × plan year × work: the same file again changes nothing, a later one updates what differs; each change is in
/// the objects' history with «Импорт из &lt;файл&gt;» as its reason. A building whose latest inspections do not add up
/// to 100 % of its replacement cost is a warning (reports.md §17's check Σ l_k = 100), not a refusal: a survey may cover
/// some elements only.
/// </summary>
public static class BuildingConditionImport
{
    public static async Task<LegacyImportReport> ApplyAsync(OpenErcDbContext db, string fileName, IReadOnlyList<InspectionLine> inspections,
        IReadOnlyList<RepairWorkLine> works, bool dryRun, CancellationToken ct = default)
    {
        var errors = new List<LegacyError>();
        var warnings = new List<string>();
        var created = new Dictionary<string, int>();
        var changed = new Dictionary<string, int>();
        var addresses = await db.Buildings.AsNoTracking().Select(b => new { b.Id, b.Address }).ToListAsync(ct);
        var byAddress = addresses.ToLookup(b => b.Address, b => b.Id, StringComparer.OrdinalIgnoreCase);
        var ids = addresses.Select(b => b.Id).ToHashSet();

        long? Building(string place, string text)
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                if (ids.Contains(id)) return id;
                errors.Add(new(place, $"Дома с кодом {id} нет"));
                return null;
            }
            var found = byAddress[text].ToList();
            if (found.Count == 1) return found[0];
            errors.Add(new(place, found.Count == 0 ? $"Дома «{text}» нет: укажите адрес, как его пишет карточка дома, или код дома"
                : $"Домов «{text}» несколько: укажите код дома"));
            return null;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Actor = "импорт";
        db.Reason = $"Импорт из {fileName}";
        foreach (var line in inspections)
        {
            if (Building(line.Place, line.Building) is not { } building) continue;
            var item = await db.ElementInspections.SingleOrDefaultAsync(x => x.BuildingId == building && x.Element == line.Element && x.InspectedOn == line.InspectedOn, ct);
            bool isNew = item is null;
            item ??= new ElementInspection { BuildingId = building, Element = line.Element, InspectedOn = line.InspectedOn };
            bool differs = item.Share != line.Share || item.Wear != line.Wear || item.Basis != line.Basis;
            (item.Share, item.Wear, item.Basis) = (line.Share, line.Wear, line.Basis);
            Count(line.Place, item, isNew, differs, "Обследования");
        }
        foreach (var line in works)
        {
            if (Building(line.Place, line.Building) is not { } building) continue;
            var item = await db.CapitalRepairWorks.SingleOrDefaultAsync(x => x.BuildingId == building && x.Element == line.Element && x.PlanYear == line.PlanYear
                                                                             && x.Work == line.Work, ct);
            bool isNew = item is null;
            item ??= new CapitalRepairWork { BuildingId = building, Element = line.Element, PlanYear = line.PlanYear, Work = line.Work };
            var before = (item.PlannedCost, item.Source, item.Status, item.Contractor, item.ContractNumber, item.ContractPrice, item.StartedOn, item.AcceptedOn,
                item.AcceptedCost, item.PaidToContractor);
            (item.PlannedCost, item.Source, item.Status, item.Contractor, item.ContractNumber, item.ContractPrice, item.StartedOn, item.AcceptedOn,
                item.AcceptedCost, item.PaidToContractor) = (line.PlannedCost, line.Source, line.Status, line.Contractor, line.ContractNumber, line.ContractPrice,
                line.StartedOn, line.AcceptedOn, line.AcceptedCost, line.PaidToContractor);
            Count(line.Place, item, isNew, before != (item.PlannedCost, item.Source, item.Status, item.Contractor, item.ContractNumber, item.ContractPrice,
                item.StartedOn, item.AcceptedOn, item.AcceptedCost, item.PaidToContractor), "Программа КР");
        }
        if (errors.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            var touched = inspections.Select(i => Building("", i.Building)).OfType<long>().ToHashSet();
            foreach (var building in touched)
            {
                var latest = (await db.ElementInspections.AsNoTracking().Where(x => x.BuildingId == building).ToListAsync(ct))
                    .GroupBy(x => x.Element).Select(g => g.MaxBy(x => x.InspectedOn)!).ToList();
                if (latest.Sum(x => x.Share) is var sum && sum != 100)
                    warnings.Add($"{addresses.First(b => b.Id == building).Address}: удельные веса элементов дают {sum.ToString("0.##", CultureInfo.GetCultureInfo("ru-RU"))} %, а не 100 %");
            }
        }
        bool apply = errors.Count == 0 && !dryRun;
        if (apply) await tx.CommitAsync(ct);
        else await tx.RollbackAsync(ct);
        db.ChangeTracker.Clear();
        return new LegacyImportReport(apply, created, changed, errors, warnings);

        void Count(string place, object item, bool isNew, bool differs, string sheet)
        {
            foreach (var (field, messages) in RegistryValidation.Validate(item)) errors.Add(new(place, $"{field}: {string.Join(" ", messages)}"));
            if (isNew)
            {
                db.Add(item);
                created[sheet] = created.GetValueOrDefault(sheet) + 1;
            }
            else if (differs) changed[sheet] = changed.GetValueOrDefault(sheet) + 1;
        }
    }
}
