using System.Globalization;
using MiniExcelLibs;

namespace OpenErc.Exchange.Legacy;

/// <summary>
/// OpenErc's own workbook for moving a region in (exchange.md §5.3: the generic path for any other system): a sheet per
/// object, a header row of the columns below, one object per row, objects referring to each other by the source's codes.
/// <see cref="Template"/> is the empty workbook to fill; <see cref="Read"/> reads a filled one into the staging model,
/// every bad cell an error with its sheet and row.
/// </summary>
public static class OpenErcTemplate
{
    public static readonly IReadOnlyDictionary<string, string[]> Sheets = new Dictionary<string, string[]>
    {
        ["Дома"] = ["Код", "Адрес", "ФИАС", "ОКТМО", "Кадастровый номер", "Подъездов", "Этажей"],
        ["Помещения"] = ["Код", "Код дома", "Номер", "Вид", "Общая площадь", "Жилая площадь", "Комнат", "Подъезд", "Этаж", "Кадастровый номер"],
        ["Лицевые счета"] = ["Код", "Код помещения", "Номер ЛС", "Прежний номер", "ЕЛС", "ИЖКУ", "Открыт", "Закрыт", "Проживает", "Площадь для расчёта", "Сальдо"],
        ["Граждане"] =
        [
            "Код", "Код ЛС", "Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "СНИЛС", "Телефон", "Email", "Собственник", "Доля", "Плательщик", "Родство",
            "Регистрация", "Зарегистрирован с", "Снят с учёта", "Причина снятия",
        ],
        ["Приборы учёта"] = ["Код", "Код дома", "Код помещения", "Тип", "Заводской номер", "Модель", "Установлен", "Опломбирован", "Следующая поверка", "Снят", "Разрядность"],
        ["Показания"] = ["Код прибора", "Дата", "Зона", "Показание"],
        ["Сальдо"] = ["Код ЛС", "Дата", "Услуга", "ИНН поставщика", "Сумма"],
        ["Начисления"] = ["Код", "Код ЛС", "Месяц", "Услуга", "Способ", "Зона", "Тариф", "Объём", "Начислено", "Перерасчёт", "Льгота"],
        ["Оплаты"] = ["Код", "Код ЛС", "Дата", "Сумма", "За месяц", "Номер", "Агент", "Комментарий"],
    };

    /// <summary>The empty workbook: every sheet with its header row.</summary>
    public static byte[] Template()
    {
        var sheets = new Dictionary<string, object>();
        foreach (var (name, columns) in Sheets)
            sheets[name] = new[] { columns.ToDictionary(c => c, _ => (object?)null) };
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheets, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    public static (LegacyRegion Region, IReadOnlyList<LegacyError> Errors) Read(string fileName, byte[] content)
    {
        var errors = new List<LegacyError>();
        Dictionary<string, List<(string Place, SheetRow Row)>> rows = [];
        try
        {
            using var stream = new MemoryStream(content);
            var names = MiniExcel.GetSheetNames(stream);
            foreach (var sheet in Sheets.Keys)
            {
                rows[sheet] = [];
                if (!names.Contains(sheet))
                {
                    if (sheet is "Дома" or "Помещения" or "Лицевые счета") errors.Add(new(fileName, $"Нет листа «{sheet}»"));
                    continue;
                }
                stream.Position = 0;
                int n = 1;
                foreach (IDictionary<string, object?> r in MiniExcel.Query(stream, useHeaderRow: true, sheetName: sheet, excelType: ExcelType.XLSX))
                {
                    n++;
                    if (r.Values.All(v => v is null || v is string { Length: 0 })) continue;
                    rows[sheet].Add(($"{fileName}: {sheet}, строка {n}", new SheetRow(r, errors, $"{fileName}: {sheet}, строка {n}")));
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or FormatException or System.Xml.XmlException)
        {
            return (new LegacyRegion([], []), [new LegacyError(fileName, "Файл не читается как книга XLSX")]);
        }
        if (errors.Count > 0) return (new LegacyRegion([], []), errors);

        var readings = rows["Показания"].Select(x => (Meter: x.Row.Text("Код прибора", true), Reading: new LegacyReading(x.Place,
            x.Row.Day("Дата", true) ?? default, x.Row.Int("Зона") ?? 1, x.Row.Number("Показание", true) ?? 0m))).ToLookup(x => x.Meter, x => x.Reading);
        var people = rows["Граждане"].Select(x => (Account: x.Row.Text("Код ЛС", true), Resident: Resident(x.Place, x.Row))).ToLookup(x => x.Account, x => x.Resident);
        var accounts = rows["Лицевые счета"].Select(x => (Premise: x.Row.Text("Код помещения", true), Account: new LegacyAccount(x.Place, x.Row.Text("Код", true),
            x.Row.Text("Номер ЛС", true), Optional(x.Row.Text("Прежний номер")), x.Row.Day("Открыт", true) ?? default, x.Row.Day("Закрыт"), x.Row.Int("Проживает"),
            x.Row.Number("Сальдо"), null, x.Row.Number("Площадь для расчёта"), Optional(x.Row.Text("ЕЛС")), Optional(x.Row.Text("ИЖКУ")), []))).ToList();
        var premises = rows["Помещения"].Select(x =>
        {
            string id = x.Row.Text("Код", true);
            string kind = x.Row.Text("Вид").ToLowerInvariant();
            if (kind is not ("" or "жилое" or "нежилое" or "коммунальная квартира"))
                errors.Add(new(x.Place, $"Вид помещения «{kind}»: жилое, нежилое или коммунальная квартира"));
            return (House: x.Row.Text("Код дома", true), Premise: new LegacyPremise(x.Place, id, x.Row.Text("Номер", true), kind != "нежилое",
                kind == "коммунальная квартира", x.Row.Number("Общая площадь", true) ?? 0m, x.Row.Number("Жилая площадь"), x.Row.Int("Комнат"), x.Row.Int("Подъезд"),
                x.Row.Int("Этаж"), x.Row.Text("Кадастровый номер") is { Length: > 0 } c ? c : null,
                accounts.Where(a => a.Premise == id).Select(a => a.Account with { Residents = people[a.Account.Id].ToList() }).ToList()));
        }).ToList();
        var houses = new List<LegacyHouse>();
        foreach (var (place, row) in rows["Дома"])
        {
            string id = row.Text("Код", true), address = row.Text("Адрес", true);
            var (settlement, street, house, block) = LegacyAddress.Parse(address);
            if (house is null) errors.Add(new(place, $"В адресе «{address}» нет номера дома («д. 5»)"));
            houses.Add(new LegacyHouse(place, id, address, settlement, street, house ?? "", block,
                Guid.TryParse(row.Text("ФИАС"), out var fias) ? fias : null, row.Text("ОКТМО") is { Length: > 0 } o ? o : null,
                row.Text("Кадастровый номер") is { Length: > 0 } c ? c : null, row.Int("Подъездов") ?? 1, row.Int("Этажей") ?? 1,
                premises.Where(p => p.House == id).Select(p => p.Premise).ToList()));
        }
        foreach (var orphan in premises.Where(p => houses.All(h => h.Id != p.House)))
            errors.Add(new(orphan.Premise.Place, $"Нет дома с кодом «{orphan.House}»"));
        foreach (var orphan in accounts.Where(a => premises.All(p => p.Premise.Id != a.Premise)))
            errors.Add(new(orphan.Account.Place, $"Нет помещения с кодом «{orphan.Premise}»"));
        var meters = rows["Приборы учёта"].Select(x =>
        {
            string type = x.Row.Text("Тип", true);
            int zones = type switch { "Эл. двухтарифный" => 2, "Эл. трехтарифный" => 3, _ => 1 };
            if (type is not ("ХВС" or "ГВС" or "Эл. однотарифный" or "Эл. двухтарифный" or "Эл. трехтарифный" or "Газ" or "Отопление"))
                errors.Add(new(x.Place, $"Тип прибора «{type}»: ХВС, ГВС, Эл. однотарифный, Эл. двухтарифный, Эл. трехтарифный, Газ, Отопление"));
            string id = x.Row.Text("Код", true);
            return new LegacyMeter(x.Place, id, x.Row.Text("Код дома") is { Length: > 0 } h ? h : null, x.Row.Text("Код помещения") is { Length: > 0 } p ? p : null,
                type, zones, x.Row.Text("Заводской номер", true), x.Row.Text("Модель") is { Length: > 0 } m ? m : null, x.Row.Day("Установлен", true) ?? default,
                x.Row.Day("Опломбирован"), x.Row.Day("Следующая поверка"), x.Row.Day("Снят"), x.Row.Int("Разрядность") ?? 5, readings[id].ToList());
        }).ToList();
        foreach (var orphan in rows["Сальдо"].Concat(rows["Начисления"]).Concat(rows["Оплаты"])
                     .Where(x => x.Row.Text("Код ЛС") is var a && a.Length > 0 && accounts.All(y => y.Account.Id != a)))
            errors.Add(new(orphan.Place, $"Нет лицевого счёта с кодом «{orphan.Row.Text("Код ЛС")}»"));
        var balances = rows["Сальдо"].Select(x => new LegacyBalance(x.Place, x.Row.Text("Код ЛС", true), x.Row.Day("Дата"), x.Row.Number("Сумма", true) ?? 0m,
            x.Row.Text("Услуга", true), x.Row.Text("ИНН поставщика", true))).ToList();
        var charges = rows["Начисления"].Select(x => new LegacyCharge(x.Place, x.Row.Text("Код", true), x.Row.Text("Код ЛС", true), Month(x.Row.Day("Месяц", true)),
            x.Row.Text("Услуга", true), Optional(x.Row.Text("Способ")), Optional(x.Row.Text("Зона")), x.Row.Number("Тариф"), x.Row.Number("Объём"),
            x.Row.Number("Начислено") ?? 0m, x.Row.Number("Перерасчёт") ?? 0m, x.Row.Number("Льгота") ?? 0m)).ToList();
        var payments = rows["Оплаты"].Select(x => new LegacyPayment(x.Place, x.Row.Text("Код", true), x.Row.Text("Код ЛС", true), x.Row.Day("Дата", true) ?? default,
            x.Row.Number("Сумма", true) ?? 0m, x.Row.Day("За месяц") is { } m ? Month(m) : null, Optional(x.Row.Text("Номер")), Optional(x.Row.Text("Агент")),
            Optional(x.Row.Text("Комментарий")))).ToList();
        return (new LegacyRegion(houses, meters) { Balances = balances, Charges = charges, Payments = payments }, errors);
    }

    private static DateOnly Month(DateOnly? day) => day is { } d ? new DateOnly(d.Year, d.Month, 1) : default;

    private static LegacyResident Resident(string place, SheetRow row)
    {
        string share = row.Text("Доля");
        Fraction? fraction = null;
        if (share.Length > 0)
        {
            if (Fraction.TryParse(share, out var parsed)) fraction = parsed;
            else row.Fail("Доля", $"«{share}» — дробь вида 1/2 или 142/584, или десятичная от 0 до 1");
        }
        string registration = row.Text("Регистрация").ToLowerInvariant();
        var from = row.Day("Зарегистрирован с");
        LegacyRegistration? reg = from is { } f
            ? new LegacyRegistration(registration != "временная", f, row.Day("Снят с учёта"), row.Text("Причина снятия") is { Length: > 0 } r ? r : null, null, null)
            : null;
        string sex = row.Text("Пол").ToLowerInvariant();
        return new LegacyResident(place, row.Text("Код", true),
            new LegacyPerson(row.Text("Фамилия", true), row.Text("Имя", true), row.Text("Отчество") is { Length: > 0 } m ? m : null, row.Day("Дата рождения"),
                sex.StartsWith('м') ? true : sex.StartsWith('ж') ? false : null, Optional(row.Text("СНИЛС")), Optional(row.Text("Телефон")), Optional(row.Text("Email"))),
            Yes(row.Text("Собственник")), fraction, Yes(row.Text("Плательщик")), Optional(row.Text("Родство")), reg);
    }

    private static string? Optional(string text) => text.Length > 0 ? text : null;

    private static bool Yes(string text) => text.Equals("да", StringComparison.OrdinalIgnoreCase) || text == "1";

    /// <summary>A row of a sheet: cells by column name, each conversion's failure an error of the row.</summary>
}
