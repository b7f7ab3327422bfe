using OpenErc.Core.Common;
using OpenErc.Core.Receipts;
using OpenErc.Operations.Receipts;

namespace OpenErc.Operations.Tests;

/// <summary>
/// A realistic ЕПД of November 2026 built in memory, without a database: flat 5 of ул. Ленина, 1 with 12 rows of
/// Раздел 3 (maintenance, four communal resources on common property, heating, two-component hot water, water, sewerage,
/// two-zone electricity), three recipients, four meter readings, a recalculation and an announcement. Every row obeys
/// Opening + Charged + Recalculated + Penalties − Paid = ToPay, and the recipients and totals are the sums of the rows.
/// </summary>
internal static class SampleReceipts
{
    public static readonly BillingPeriod November = new(2026, 11);
    public const string Account = "1002003001";
    public const string Address = "г. Пример, ул. Ленина, д. 1, кв. 5";

    public static readonly ReceiptParty Centre = new("ООО «Единый расчётный центр Пример»", "7701234567", "770101001",
        "123100, г. Пример, пр-т Мира, д. 10, офис 3", "+7 (495) 123-45-67", "info@erc-primer.ru",
        "ПАО Сбербанк", "40702810900000012345", "044525225", "30101810400000000225", "пн–пт 8:00–20:00, сб 9:00–15:00", "erc-primer.ru");

    private static readonly ReceiptParty Manager = new("ООО «УК Жилкомфорт»", "7705123456", "770501001",
        "123101, г. Пример, ул. Садовая, д. 12", "+7 (495) 765-43-21", "uk@zhilkomfort.ru",
        "ПАО Сбербанк", "40702810438000123456", "044525225", "30101810400000000225", "пн–чт 8:00–17:00, пт 8:00–16:00, обед 12:00–12:45", "zhilkomfort.ru");

    private static readonly ReceiptParty Water = new("АО «Примерводоканал»", "7708765432", "770801001",
        "123102, г. Пример, Водопроводный пер., д. 3", "+7 (495) 222-33-44", "abonent@vodokanal-primer.ru",
        "Банк ВТБ (ПАО)", "40702810500020001234", "044525187", "30101810700000000187");

    private static readonly ReceiptParty Power = new("ПАО «Примерэнергосбыт»", "7736520080", "997650001",
        "123103, г. Пример, ул. Энергетиков, д. 7", "+7 (495) 333-44-55", "info@energosbyt-primer.ru",
        "АО «Альфа-Банк»", "40702810200000004567", "044525593", "30101810200000000593");

    /// <summary>One row before the money is worked out: the month's volume and rate, the opening balance and the payment.</summary>
    private sealed record Line(string Service, ReceiptParty Supplier, string Unit, string Method, bool CommonProperty, decimal? Volume, decimal? Rate,
        decimal Opening, decimal Paid, decimal Recalculated = 0m, decimal Penalties = 0m);

    private static readonly Line[] Lines =
    [
        new("Содержание жилого помещения", Manager, "м²", "П", false, 54.3m, 28.45m, 1544.84m, 1544.84m),
        new("Холодное водоснабжение на СОИ", Manager, "м³", "Н", true, 0.163m, 48.32m, 7.88m, 7.88m),
        new("Горячее водоснабжение на СОИ", Manager, "м³", "Н", true, 0.098m, 245.73m, 24.08m, 24.08m),
        new("Водоотведение на СОИ", Manager, "м³", "Н", true, 0.261m, 37.8m, 9.87m, 9.87m),
        new("Электроэнергия на СОИ", Manager, "кВт·ч", "Н", true, 3.42m, 6.43m, 21.99m, 21.99m),
        new("Отопление", Manager, "Гкал", "О", false, 1.042m, 2987.364512m, 2950.10m, 2950.10m),
        new("Горячее водоснабжение (теплоноситель)", Manager, "м³", "М", false, 3.2m, 45.67m, 127.88m, 127.88m),
        new("Горячее водоснабжение (тепловая энергия)", Manager, "Гкал", "М", false, 0.198m, 2987.364512m, 537.73m, 537.73m, Recalculated: -84.12m),
        new("Холодное водоснабжение", Water, "м³", "М", false, 5.4m, 48.32m, 246.43m, 246.43m),
        new("Водоотведение", Water, "м³", "М", false, 8.6m, 37.8m, 306.18m, 306.18m),
        new("Электроснабжение (день)", Power, "кВт·ч", "М", false, 142m, 7.43m, 2100.50m, 1000.00m, Penalties: 12.34m),
        new("Электроснабжение (ночь)", Power, "кВт·ч", "М", false, 61m, 3.71m, 215.18m, 215.18m),
    ];

    /// <summary>The sample document; <paramref name="extraRows"/> adds rows of other services to make Раздел 3 longer than a page.</summary>
    public static UnifiedPaymentDocument Build(ReceiptKind kind = ReceiptKind.Monthly, string account = Account, long number = 2026110001,
        string address = Address, string? announcement = null, int extraRows = 0)
    {
        var lines = Lines.Select(line => Scenario(kind, line)).ToList();
        for (int i = 1; i <= extraRows; i++)
            lines.Add(new Line($"Дополнительная услуга № {i}", Manager, "мес.", "П", false, 1m, 10m + i, 0m, 0m));

        var rows = lines.Select(Row).ToList();
        var recipients = rows.GroupBy(row => row.Supplier)
            .Select(group => new ReceiptRecipient(Party(group.Key), group.Select(row => row.Service).Distinct().ToList(),
                group.Sum(row => row.Opening), group.Sum(row => row.Charged + row.Recalculated), group.Sum(row => row.Penalties),
                group.Sum(row => row.Paid), group.Sum(row => row.ToPay)))
            .ToList();
        decimal closing = rows.Sum(row => row.ToPay);
        var totals = new ReceiptTotals(rows.Sum(row => row.Opening), rows.Sum(row => row.Charged), rows.Sum(row => row.Recalculated),
            rows.Sum(row => row.Benefits), rows.Sum(row => row.Penalties), rows.Sum(row => row.Paid), closing, Math.Max(closing, 0m),
            kind == ReceiptKind.DebtNotice ? null : new DateOnly(2026, 11, 18));

        var payer = new ReceiptPayer(account, "Иванов Иван Иванович", address, "5", 1, 54.3m, 3, "7KQ2M-XH4PA");
        var qr = new QrPayee(Centre.Name, Centre.SettlementAccount!, Centre.BankName!, Centre.Bic!, Centre.CorrespondentAccount!, Centre.Inn, Centre.Kpp!);
        return new UnifiedPaymentDocument(number, kind, November, new DateOnly(2026, 12, 1), November.End.AddDays(-1), payer, Centre, Manager,
            recipients, rows, totals,
            [new ReceiptRecalculation("Горячее водоснабжение (тепловая энергия)",
                "Снижение качества: температура горячей воды ниже нормативной с 12.11.2026 по 15.11.2026 (акт № 17 от 16.11.2026)", -84.12m)],
            Meters, Reference,
            [announcement ?? "Уважаемые жильцы! С 1 по 10 декабря 2026 г. проводится поверка общедомового прибора учёта тепловой энергии. " +
                "Показания индивидуальных приборов учёта принимаются с 20 по 25 число по телефону +7 (495) 123-45-67 или в личном кабинете на сайте erc-primer.ru."],
            11.9m, PaymentQr.Payload(qr, account, November, totals.ToPay, address));
    }

    /// <summary>Documents for bulk printing: the sample for consecutive flats of the building, each with its own QR code.</summary>
    public static IEnumerable<UnifiedPaymentDocument> Building(int count) =>
        Enumerable.Range(1, count).Select(flat => Build(account: (1002003000 + flat).ToString(), number: 2026110000 + flat, address: $"г. Пример, ул. Ленина, д. 1, кв. {flat}"));

    /// <summary>A monthly bill as it is; an advance when the account paid ahead; a debt notice when nothing was paid for months.</summary>
    private static Line Scenario(ReceiptKind kind, Line line) => kind switch
    {
        ReceiptKind.Advance when line.Service == "Содержание жилого помещения" => line with { Paid = line.Opening + 12000m },
        ReceiptKind.Advance => line with { Paid = line.Opening, Penalties = 0m },
        ReceiptKind.DebtNotice => line with { Opening = line.Opening * 3, Paid = 0m, Penalties = Math.Round(line.Opening * 0.02m, 2) },
        _ => line,
    };

    private static ReceiptServiceRow Row(Line line)
    {
        decimal charged = line.Volume is { } volume && line.Rate is { } rate ? Math.Round(volume * rate, 2, MidpointRounding.AwayFromZero) : 0m;
        decimal toPay = line.Opening + charged + line.Recalculated + line.Penalties - line.Paid;
        return new ReceiptServiceRow(line.Service, line.Supplier.Name, line.Unit, line.Method, line.CommonProperty, line.Volume, line.Rate,
            charged, line.Recalculated, 0m, line.Opening, line.Penalties, line.Paid, toPay);
    }

    private static ReceiptParty Party(string name) => new[] { Manager, Water, Power }.Single(party => party.Name == name);

    private static readonly ReceiptMeter[] Meters =
    [
        new("Холодное водоснабжение", "ХВ-2019-045123", "", "м³", new DateOnly(2026, 10, 25), 123.456m, new DateOnly(2026, 11, 25), 128.856m, new DateOnly(2025, 3, 15)),
        new("Горячее водоснабжение", "ГВ-2019-045124", "", "м³", new DateOnly(2026, 10, 25), 87.1m, new DateOnly(2026, 11, 25), 90.3m, new DateOnly(2025, 3, 15)),
        new("Электроснабжение", "011272345678", "День", "кВт·ч", new DateOnly(2026, 10, 24), 15234m, new DateOnly(2026, 11, 24), 15376m, new DateOnly(2021, 6, 30)),
        new("Электроснабжение", "011272345678", "Ночь", "кВт·ч", new DateOnly(2026, 10, 24), 7120m, new DateOnly(2026, 11, 24), 7181m, new DateOnly(2021, 6, 30)),
    ];

    private static readonly ReceiptReference[] Reference =
    [
        new("Холодное водоснабжение", "м³", 4.85m, 2456.812m),
        new("Горячее водоснабжение", "м³", 3.54m, 1523.4m),
        new("Водоотведение", "м³", 8.39m, 3980.212m),
        new("Электроснабжение", "кВт·ч", 98m, 41234m),
        new("Отопление", "Гкал", 0.0185m, 512.347m),
        new("Холодное водоснабжение на СОИ", "м³", 0.03m, 48.2m),
        new("Горячее водоснабжение на СОИ", "м³", 0.018m, 29.1m),
        new("Электроэнергия на СОИ", "кВт·ч", 0.63m, 1012m),
    ];
}
