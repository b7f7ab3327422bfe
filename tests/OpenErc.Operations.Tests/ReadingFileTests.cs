using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Accounts;
using OpenErc.Core.Meters;
using OpenErc.Exchange.Readings;
using OpenErc.Operations.Cabinet;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>Readings in bulk from a CSV and a DBF: the cabinet's checks line by line, every refused line with its place and reason.</summary>
public sealed class ReadingFileTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_file_of_readings_saves_the_good_lines_and_refuses_each_bad_one_with_its_reason()
    {
        var cs = await cluster.CreateDatabaseAsync("reading_files");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        var clock = TestClock.On(new DateOnly(2026, 7, 25));
        await OneFlatRegion.RegisterAsync(cs, "тест", Ct, new AccountAlias { AccountId = flat.AccountId, Kind = AliasKind.Legacy, Number = "77-1" });
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock);
        string serial = await db.Meters.Where(m => m.Id == flat.ColdMeterId).Select(m => m.SerialNumber).SingleAsync(Ct);
        string own = AccountNumber.Create(1);
        // The meter's history: 6 m³ a month up to 136 on 20.03.2026.
        var csv = Encoding.UTF8.GetBytes(string.Join("\r\n",
            "ЛС;Заводской номер;Зона;Дата;Показание",
            $"{own};{serial};1;20.04.2026;142",
            $"77-1;{serial};;2026-05-20;148,5",
            $"{own};{serial};1;20.06.2026;400",
            $"{AccountNumber.Create(999)};{serial};1;20.06.2026;150",
            $"{own};{serial};1;31.06.2026;150",
            $"{own};{serial};1;20.07.2026;140",
            $"{own};{serial};1;20.08.2026;160", ""));
        var (rows, unread) = ReadingFile.Read("pokazaniya.csv", csv, new ReadingFileProfile());
        var report = await ReadingFiles.ImportAsync(db, rows, unread, ReadingSource.Import, new ReadingRules(), clock, "загрузка", Ct);
        (report.Lines, report.Saved).ShouldBe((7, 2));
        report.Refused.Select(e => e.ToString()).ShouldBe(
        [
            "pokazaniya.csv: строка 6: дата «31.06.2026» — ДД.ММ.ГГГГ или ГГГГ-ММ-ДД",
            $"pokazaniya.csv: строка 4: Расход 251,5 с 20.05.2026 — около 246,6 в месяц, больше обычного (6,1 в месяц): не принято из файла — подтвердите показание вручную",
            $"pokazaniya.csv: строка 5: Лицевой счёт «{AccountNumber.Create(999)}» не найден",
            "pokazaniya.csv: строка 7: Показание 140 меньше предыдущего (148,5 на 20.05.2026)",
            "pokazaniya.csv: строка 8: Дата показания 20.08.2026 ещё не наступила",
        ]);
        (await db.MeterReadings.Where(r => r.MeterId == flat.ColdMeterId && r.ReadOn > new DateOnly(2026, 4, 1)).OrderBy(r => r.ReadOn)
                .Select(r => new { r.Value, r.Source }).ToListAsync(Ct))
            .Select(r => (r.Value, r.Source)).ShouldBe([(142m, ReadingSource.Import), (148.5m, ReadingSource.Import)]);

        // The same from a DBF of the profile's fields, in cp866.
        var dbf = Exchange.Dbf.DbfFile.Write([new("LS", 'C', 10, 0), new("NOMER", 'C', 20, 0), new("DATA", 'D', 8, 0), new("POK", 'N', 10, 3)],
            [[own, serial, new DateOnly(2026, 6, 20), 154.5m]], Exchange.Encodings.Cp866, new DateOnly(2026, 7, 1));
        var (dbfRows, dbfUnread) = ReadingFile.Read("pok.dbf", dbf, new ReadingFileProfile { ZoneField = null });
        (await ReadingFiles.ImportAsync(db, dbfRows, dbfUnread, ReadingSource.Automatic, new ReadingRules(), clock, "загрузка", Ct)).Saved.ShouldBe(1);

        // A workbook of another layout, through its profile: two header rows, the day before the meter, no zone.
        using var book = new MemoryStream();
        MiniExcelLibs.MiniExcel.SaveAs(book, new[]
        {
            new Dictionary<string, object?> { ["A"] = "Показания УК «Ленинская»", ["B"] = null, ["C"] = null, ["D"] = null },
            new Dictionary<string, object?> { ["A"] = own, ["B"] = "2026-07-20", ["C"] = 160.25m, ["D"] = serial },
            new Dictionary<string, object?> { ["A"] = own, ["B"] = "2026-07-21", ["C"] = "много", ["D"] = serial },
        }, printHeader: true);
        var (xlsxRows, xlsxUnread) = ReadingFile.Read("uk.xlsx", book.ToArray(), new ReadingFileProfile { HeaderLines = 2, Account = 0, Date = 1, Value = 2, Meter = 3, Zone = null });
        xlsxUnread.Single().ToString().ShouldBe("uk.xlsx: строка 4: показание «много» — не число");
        (await ReadingFiles.ImportAsync(db, xlsxRows, xlsxUnread, ReadingSource.Import, new ReadingRules(), clock, "загрузка", Ct)).Saved.ShouldBe(1);
        (await db.MeterReadings.Where(r => r.MeterId == flat.ColdMeterId).MaxAsync(r => r.Value, Ct)).ShouldBe(160.25m);
    }
}
