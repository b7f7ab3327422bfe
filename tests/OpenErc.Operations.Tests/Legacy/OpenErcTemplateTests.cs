using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Exchange.Legacy;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests.Legacy;

/// <summary>OpenErc's own workbook: the empty template, a filled one imported through the same path as any other system's, and its errors by sheet and row.</summary>
public sealed class OpenErcTemplateTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly RegionClock Clock = TestClock.On(new DateOnly(2026, 11, 20));

    private static byte[] Workbook(Dictionary<string, object?[][]> sheets)
    {
        var book = new Dictionary<string, object>();
        foreach (var (name, rows) in sheets)
        {
            var columns = OpenErcTemplate.Sheets[name];
            book[name] = rows.Select(r => columns.Select((c, i) => (c, v: i < r.Length ? r[i] : null)).ToDictionary(x => x.c, x => x.v)).ToList();
        }
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, book);
        return stream.ToArray();
    }

    [Fact]
    public async Task A_filled_workbook_imports_like_any_other_systems_export_and_its_template_has_every_sheet()
    {
        using (var template = new MemoryStream(OpenErcTemplate.Template()))
            MiniExcel.GetSheetNames(template).ShouldBe(OpenErcTemplate.Sheets.Keys);

        var file = Workbook(new()
        {
            ["Дома"] = [["Д1", "г. Новоград, ул. Заречная, д. 9", null, "65701000", null, 2, 5]],
            ["Помещения"] = [["П1", "Д1", "12", "жилое", 48.2m, 30m, 2, 1, 3], ["П2", "Д1", "1Н", "нежилое", 80m]],
            ["Лицевые счета"] = [["Л1", "П1", "9001234", "ЛС-9", "75ДА000001", null, "2019-05-01", null, 2]],
            ["Граждане"] = [["Г1", "Л1", "Ершова", "Нина", "Павловна", "1980-02-03", "ж", null, null, null, "да", "1/1", "да", "собственник", "постоянная", "2019-05-10"]],
            ["Приборы учёта"] = [["М1", "Д1", "П1", "ГВС", "ГВ-55", null, "2020-01-01", null, "2026-01-01", null, 5]],
            ["Показания"] = [["М1", "2026-10-20", 1, "35,125"]],
            ["Сальдо"] = [["Л1", "01.11.2026", "maintenance", "7736050003", "350,50"]],
            ["Начисления"] = [["Н1", "Л1", "2026-10-01", "Содержание", "standard", null, 28.5m, 48.2m, 1373.70m]],
            ["Оплаты"] = [["О1", "Л1", "2026-10-15", 1373.70m, "2026-10-01", "77", "Почта России"]],
        });
        var (region, errors) = OpenErcTemplate.Read("region.xlsx", file);
        errors.ShouldBeEmpty();
        var cs = await cluster.CreateDatabaseAsync("openerc_template");
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock) { Actor = "тест", Reason = "тест" };
        db.Municipalities.Add(new Municipality { Name = "г. Новоград", Oktmo = "65701000" });
        await db.SaveChangesAsync(Ct);
        await LegacyImportTests.OpenForBalancesAsync(cs);
        var report = await LegacyImport.ApplyAsync(db, region, new LegacyImportOptions("OpenErc", "Новоградская область"), Clock, Ct);
        report.Errors.ShouldBeEmpty();
        (report.Created["Дома"], report.Created["Помещения"], report.Created["Лицевые счета"], report.Created["Показания"]).ShouldBe((1, 2, 1, 1));
        (report.Created["Входящее сальдо"], report.Created["Начисления прежней системы"], report.Created["Оплаты прежней системы"]).ShouldBe((1, 1, 1));
        // The balance on 01.11.2026 closes October, by service and supplier as the sheet gives them.
        (await LegacyImportTests.BalancesAsync(cs)).ShouldBe([("9001234", new DateOnly(2026, 10, 1), 35050L)]);
        (await Sql.ScalarAsync<string>(cs, "SELECT agent FROM legacy_payments")).ShouldBe("Почта России");
        await using var check = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock);
        (await check.Buildings.SingleAsync(Ct)).Address.ShouldBe("г. Новоград, ул. Заречная, д. 9");
        (await check.AccountAliases.OrderBy(a => a.Number).Select(a => a.Number).ToListAsync(Ct)).ShouldBe(["75ДА000001", "9001234", "ЛС-9"]);
        (await check.MeterReadings.SingleAsync(Ct)).Value.ShouldBe(35.125m);

        var (_, bad) = OpenErcTemplate.Read("region.xlsx", Workbook(new()
        {
            ["Дома"] = [["Д1", "г. Новоград, ул. Заречная", null, null, null, 1, 1]],
            ["Помещения"] = [["П1", "Д2", "12", "гараж", "много"]],
            ["Лицевые счета"] = [["Л1", "П1", "9001234", null, null, null, "01.13.2019"]],
            ["Оплаты"] = [["О1", "Л9", "2026-10-15", 100m]],
        }));
        bad.Select(e => e.ToString()).ShouldBe(
        [
            "region.xlsx: Лицевые счета, строка 2, «Открыт»: «01.13.2019» — не дата ДД.ММ.ГГГГ",
            "region.xlsx: Помещения, строка 2, «Общая площадь»: «много» — не число",
            "region.xlsx: Помещения, строка 2: Вид помещения «гараж»: жилое, нежилое или коммунальная квартира",
            "region.xlsx: Дома, строка 2: В адресе «г. Новоград, ул. Заречная» нет номера дома («д. 5»)",
            "region.xlsx: Помещения, строка 2: Нет дома с кодом «Д2»",
            "region.xlsx: Оплаты, строка 2: Нет лицевого счёта с кодом «Л9»",
        ], ignoreOrder: true);
        OpenErcTemplate.Read("region.xlsx", "не книга"u8.ToArray()).Errors.Single().Reason.ShouldBe("Файл не читается как книга XLSX");
    }
}
