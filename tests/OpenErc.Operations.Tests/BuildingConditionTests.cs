using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using OpenErc.Core.Housing;
using OpenErc.Exchange.Legacy;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// A building's condition (reports.md §17–19): its wear from the elements' latest inspections, and the workbook that
/// loads inspections and the capital-repair programme into the building cards — whole or not at all, the same file
/// again changing nothing, a later one updating with «Импорт из …» in the history.
/// </summary>
public sealed class BuildingConditionTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>ВСН 53-86(р): Ф_з = Σ Ф_к × l_k / 100 over each element's latest inspection, to whole per cent.</summary>
    [Fact]
    public void A_buildings_wear_is_its_elements_latest_wear_weighted_by_their_shares()
    {
        var day = new DateOnly(2026, 6, 1);
        ElementInspection I(BuildingElement e, decimal share, decimal wear, DateOnly on) => new() { BuildingId = 1, Element = e, Share = share, Wear = wear, InspectedOn = on };
        var inspections = new[]
        {
            I(BuildingElement.Foundation, 10, 20, new(2020, 5, 1)), I(BuildingElement.Walls, 50, 30, new(2020, 5, 1)), I(BuildingElement.Roof, 40, 60, new(2020, 5, 1)),
            I(BuildingElement.Roof, 40, 10, new(2025, 9, 1)), // the roof repaired: its later inspection counts
            I(BuildingElement.Walls, 50, 90, new(2027, 1, 1)), // after the day: not yet
        };
        // 20 × 10 / 100 + 30 × 50 / 100 + 10 × 40 / 100 = 2 + 15 + 4 = 21.
        BuildingWear.Of(inspections, day).ShouldBe(21m);
        // Before the roof's repair: 2 + 15 + 24 = 41.
        BuildingWear.Of(inspections, new DateOnly(2025, 1, 1)).ShouldBe(41m);
        BuildingWear.Of(inspections, new DateOnly(2019, 1, 1)).ShouldBeNull();
        // 12.5 rounds to 13 (whole per cent, half away from zero).
        BuildingWear.Of([I(BuildingElement.Walls, 50, 25, day)], day).ShouldBe(13m);
    }

    [Fact]
    public void An_accepted_work_needs_its_act_and_cannot_exceed_the_contract()
    {
        var work = new CapitalRepairWork { BuildingId = 1, Element = BuildingElement.Roof, Work = "Ремонт крыши", PlanYear = 2026, PlannedCost = 100,
            Status = CapitalRepairStatus.Accepted, ContractNumber = "1", ContractPrice = 90, AcceptedCost = 95 };
        var errors = Core.Common.RegistryValidation.Validate(work);
        errors.Keys.ShouldContain("AcceptedOn");
        errors["AcceptedCost"].ShouldContain("Принято больше цены договора: сначала внесите дополнительное соглашение");
    }

    private static byte[] Workbook(IEnumerable<Dictionary<string, object?>> inspections, IEnumerable<Dictionary<string, object?>> works)
    {
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, new Dictionary<string, object> { [BuildingConditionFile.Inspections] = inspections.ToArray(), [BuildingConditionFile.Works] = works.ToArray() },
            excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    private static Dictionary<string, object?> Inspection(object building, string element, decimal share, decimal wear) => new()
    {
        ["Дом"] = building, ["Элемент"] = element, ["Удельный вес, %"] = share, ["Износ, %"] = wear, ["Дата обследования"] = "15.05.2026", ["Основание"] = "Акт № 7",
    };

    private static Dictionary<string, object?> Work(object building, string status, decimal? accepted) => new()
    {
        ["Дом"] = building, ["Элемент"] = "Крыша", ["Вид работ"] = "Ремонт крыши", ["Год"] = 2026, ["Сметная стоимость"] = 1_000_000m, ["Источник"] = "Фонд капитального ремонта",
        ["Состояние"] = status, ["Подрядчик"] = "ООО «Кровля»", ["Номер договора"] = "КР-1", ["Цена договора"] = 980_000m, ["Начало работ"] = "01.06.2026",
        ["Дата приёмки"] = accepted is null ? null : "30.09.2026", ["Принято"] = accepted, ["Оплачено подрядчику"] = accepted,
    };

    [Fact]
    public async Task The_condition_workbook_loads_whole_or_not_at_all_and_again_changes_nothing()
    {
        var cs = await cluster.CreateDatabaseAsync("condition");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), OneFlatRegion.Clock);
        var address = await db.Buildings.Where(b => b.Id == flat.BuildingId).Select(b => b.Address).SingleAsync(Ct);
        var template = BuildingConditionFile.Template();
        MiniExcel.GetSheetNames(new MemoryStream(template)).ShouldBe([BuildingConditionFile.Inspections, BuildingConditionFile.Works, "Справочник"]);

        var first = Workbook([Inspection(address, "Стены", 60, 30), Inspection(flat.BuildingId, "Крыша", 40, 50)], [Work(address, "Выполняются", null)]);
        var (inspections, works, errors) = BuildingConditionFile.Read("sostoyanie.xlsx", first);
        errors.ShouldBeEmpty();
        var report = await BuildingConditionImport.ApplyAsync(db, "sostoyanie.xlsx", inspections, works, dryRun: false, Ct);
        report.Errors.ShouldBeEmpty();
        report.Created.ShouldBe(new Dictionary<string, int> { ["Обследования"] = 2, ["Программа КР"] = 1 });
        report.Warnings.ShouldBeEmpty(); // 60 + 40 = 100 %
        BuildingWear.Of(await db.ElementInspections.Where(x => x.BuildingId == flat.BuildingId).ToListAsync(Ct), new DateOnly(2026, 6, 1)).ShouldBe(38m);

        // The same file again: nothing created, nothing changed.
        report = await BuildingConditionImport.ApplyAsync(db, "sostoyanie.xlsx", inspections, works, dryRun: false, Ct);
        (report.Created.Count, report.Changed.Count).ShouldBe((0, 0));

        // A later file: the work accepted — a change with its reason in the history.
        var later = Workbook([], [Work(address, "Приняты", 950_000m)]);
        (inspections, works, errors) = BuildingConditionFile.Read("priemka.xlsx", later);
        report = await BuildingConditionImport.ApplyAsync(db, "priemka.xlsx", inspections, works, dryRun: false, Ct);
        report.Changed.ShouldBe(new Dictionary<string, int> { ["Программа КР"] = 1 });
        var work = await db.CapitalRepairWorks.SingleAsync(Ct);
        (work.Status, work.AcceptedCost, work.AcceptedOn).ShouldBe((CapitalRepairStatus.Accepted, 950_000m, new DateOnly(2026, 9, 30)));
        (await Sql.ScalarAsync<string>(cs, $"SELECT reason FROM audit_entries WHERE entity_type = 'CapitalRepairWork' ORDER BY id DESC LIMIT 1"))
            .ShouldBe("Импорт из priemka.xlsx");

        // A bad file: every refused row with its place, nothing applied (the good row of it neither).
        var bad = Workbook([Inspection(address, "Чердак", 10, 10), Inspection("г. Нигде, д. 1", "Стены", 10, 10), Inspection(address, "Стены", 60, 130)],
            [Work(address, "Приняты", 990_000m)]);
        (inspections, works, errors) = BuildingConditionFile.Read("plohoy.xlsx", bad);
        errors.ShouldContain(e => e.Place == "plohoy.xlsx: Обследования, строка 2, «Элемент»" && e.Reason.Contains("нет в справочнике"));
        report = await BuildingConditionImport.ApplyAsync(db, "plohoy.xlsx", inspections.Where(i => i.Element != default).ToList(), works, dryRun: false, Ct);
        report.Applied.ShouldBeFalse();
        report.Errors.ShouldContain(e => e.Place == "plohoy.xlsx: Обследования, строка 3" && e.Reason.StartsWith("Дома «г. Нигде, д. 1» нет", StringComparison.Ordinal));
        report.Errors.ShouldContain(e => e.Place == "plohoy.xlsx: Обследования, строка 4" && e.Reason.Contains("Износ элемента — от 0 до 100 %"));
        report.Errors.ShouldContain(e => e.Place == "plohoy.xlsx: Программа КР, строка 2" && e.Reason.Contains("Принято больше цены договора"));
        (await db.CapitalRepairWorks.SingleAsync(Ct)).AcceptedCost.ShouldBe(950_000m);
        (await db.ElementInspections.CountAsync(Ct)).ShouldBe(2);
    }
}
