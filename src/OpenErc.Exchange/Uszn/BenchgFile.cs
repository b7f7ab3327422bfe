using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using OpenErc.Core.Common;

namespace OpenErc.Exchange.Uszn;

/// <summary>How the volume of a service was found, as in ГИС ЖКХ: <c>M</c> meter, <c>N</c> norm, <c>O</c> other.</summary>
public enum BenefitCalcMethod
{
    [Display(Name = "По прибору учёта")] Meter,
    [Display(Name = "По нормативу")] Norm,
    [Display(Name = "Иначе")] Other,
}

/// <summary>
/// One row of <c>BENCHG</c> (ЕРЦ → УСЗН, benefits.md §6.2): a period × right × account × service, filled by the caller
/// from the ledger and the benefit trace. Null: not applicable (no area for a metered service, no norm for capital
/// repair). <see cref="BaseVolume"/>/<see cref="BaseArea"/> are V_b/S_b; <see cref="DiscountApplied"/> is the Model B
/// discount, positive; <see cref="BeneficiaryShareAmount"/> what §2.5 gives (УСЗН may use or ignore it).
/// </summary>
public sealed record BenefitChargeRow(
    BillingPeriod Period, string RightId, string AccountNumber, string? Els, string? Snils, string ServiceCode, string ServiceName, string RecipientInn,
    string Unit, BenefitCalcMethod CalcMethod, decimal? Tariff, decimal? VolumeTotal, decimal? NormPerPerson, int Residents, int Covered,
    decimal? PremiseArea, decimal? AreaStandardUsed, decimal? BaseVolume, decimal? BaseArea, Money Charged, Money Recalculated, Money DiscountApplied,
    Money BeneficiaryShareAmount, Money ExcludedCoefficientAmount, int AbsenceDays, Money Paid, Money DebtEnd, Money CourtDebt);

/// <summary>
/// Writes <c>BENCHG</c> (benefits.md §6.2) in the common layout of <see cref="UsznCsv"/>: the columns of §6.2 in their
/// order, one row per <see cref="BenefitChargeRow"/>, a <c>TOTAL</c> row (in <c>Period</c>) with the sums of the money
/// columns, and the trailer counting the data rows with the sum of <c>Charged</c>. Tariffs are written with 2 to 6
/// decimals (a tariff is a price, not an amount), norms and volumes with 6, areas with 2.
/// </summary>
public static class BenchgFile
{
    public const string Total = "TOTAL";

    public static readonly IReadOnlyList<string> Columns =
    [
        "Period", "RightId", "AccountNumber", "Els", "Snils", "ServiceCode", "ServiceName", "RecipientInn", "Unit", "CalcMethod", "Tariff", "VolumeTotal",
        "NormPerPerson", "Residents", "Covered", "PremiseArea", "AreaStandardUsed", "BaseVolume", "BaseArea", "Charged", "Recalculated", "DiscountApplied",
        "BeneficiaryShareAmount", "ExcludedCoefficientAmount", "AbsenceDays", "Paid", "DebtEnd", "CourtDebt",
    ];

    /// <summary>The money columns, in the order of <see cref="MoneyColumns"/>.</summary>
    private static readonly string[] MoneyNames =
        ["Charged", "Recalculated", "DiscountApplied", "BeneficiaryShareAmount", "ExcludedCoefficientAmount", "Paid", "DebtEnd", "CourtDebt"];

    /// <summary>The CSV file, UTF-8 with a BOM or Windows-1251.</summary>
    /// <exception cref="UsznFileException">A character Windows-1251 cannot write; the message names the row.</exception>
    public static byte[] Write(IReadOnlyList<BenefitChargeRow> rows, UsznEncoding encoding = UsznEncoding.Utf8) =>
        UsznCsv.Write(Columns,
            rows.Select((r, i) => ($"Строка {i + 2} (RightId {r.RightId}, ЛС {r.AccountNumber}, услуга {r.ServiceCode})", Fields(r)))
                .Append(("Строка TOTAL", TotalFields(rows))),
            rows.Count, rows.Sum(r => r.Charged.Amount), encoding);

    /// <summary>The XML variant (UTF-8): <c>&lt;BENCHG&gt;</c> with a <c>&lt;Row&gt;</c> per row whose elements are the columns, then <c>&lt;TOTAL&gt;</c> and <c>&lt;TRAILER&gt;</c>.</summary>
    public static byte[] WriteXml(IReadOnlyList<BenefitChargeRow> rows)
    {
        static IEnumerable<XElement> Elements(IReadOnlyList<string> fields) => Columns.Select((c, i) => new XElement(c, fields[i])).Where(e => e.Value.Length > 0);
        var total = TotalFields(rows);
        var document = new XDocument(new XElement(UsznFileName.Benchg,
            rows.Select(r => new XElement("Row", Elements(Fields(r)))),
            new XElement(Total, Elements(total).Skip(1)),
            new XElement("TRAILER", new XElement("Rows", rows.Count), new XElement("Sum", UsznCsv.Money(rows.Sum(r => r.Charged.Amount))))));
        using var stream = new MemoryStream();
        using (var writer = System.Xml.XmlWriter.Create(stream, new System.Xml.XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            document.Save(writer);
        return stream.ToArray();
    }

    private static string Code(BenefitCalcMethod method) => method switch { BenefitCalcMethod.Meter => "M", BenefitCalcMethod.Norm => "N", _ => "O" };

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static IReadOnlyList<Money> MoneyColumns(BenefitChargeRow r) =>
        [r.Charged, r.Recalculated, r.DiscountApplied, r.BeneficiaryShareAmount, r.ExcludedCoefficientAmount, r.Paid, r.DebtEnd, r.CourtDebt];

    private static IReadOnlyList<string> Fields(BenefitChargeRow r)
    {
        var money = MoneyColumns(r).Select(m => UsznCsv.Money(m.Amount)).ToList();
        return
        [
            r.Period.ToString(), r.RightId, r.AccountNumber, r.Els ?? "", r.Snils ?? "", r.ServiceCode, r.ServiceName, r.RecipientInn, r.Unit,
            Code(r.CalcMethod), r.Tariff?.ToString("0.00####", CultureInfo.InvariantCulture) ?? "", Optional(r.VolumeTotal, UsznCsv.Volume),
            Optional(r.NormPerPerson, UsznCsv.Volume), Int(r.Residents), Int(r.Covered), Optional(r.PremiseArea, UsznCsv.Area),
            Optional(r.AreaStandardUsed, UsznCsv.Area), Optional(r.BaseVolume, UsznCsv.Volume), Optional(r.BaseArea, UsznCsv.Area),
            .. money[..5], Int(r.AbsenceDays), .. money[5..],
        ];
    }

    /// <summary>The TOTAL row: <c>TOTAL</c> in Period, the sums of the money columns, the rest empty.</summary>
    private static IReadOnlyList<string> TotalFields(IReadOnlyList<BenefitChargeRow> rows)
    {
        var sums = new decimal[MoneyNames.Length];
        foreach (var r in rows)
        {
            var money = MoneyColumns(r);
            for (int i = 0; i < sums.Length; i++) sums[i] += money[i].Amount;
        }
        var fields = Enumerable.Repeat("", Columns.Count).ToArray();
        fields[0] = Total;
        for (int i = 0; i < sums.Length; i++) fields[Columns.ToList().IndexOf(MoneyNames[i])] = UsznCsv.Money(sums[i]);
        return fields;
    }

    private static string Optional(decimal? value, Func<decimal, string> format) => value is { } v ? format(v) : "";
}
