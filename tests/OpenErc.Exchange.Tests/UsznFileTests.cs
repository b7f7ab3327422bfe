using System.Text;
using System.Xml.Linq;
using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Exchange.Uszn;
using Shouldly;
using Xunit;

namespace OpenErc.Exchange.Tests;

/// <summary>benefits.md §6: the registry of rights read whole or refused whole, the error report and the charges per beneficiary written.</summary>
public sealed class UsznFileTests
{
    private const string Name = "OPENERC_BENREG_ERC66_USZN01_202604_001.csv";
    private static readonly string Header = string.Join(';', BenregFile.Columns);

    // VET_TRUDA of §7.1 (legal basis quoted: it holds the separator) and KR70 of §7.3 with its owner share and fixed area.
    private const string Labour =
        "R-1;ADD;P-1;112-233-445 95;Иванова;Мария;Петровна;12.03.1950;100200300;;0c5b2444-70a0-4932-980c-b4dc0d3f02b5;12;VET_TRUDA;" +
        "\"Закон области; ст. 5\";INKIND;0.5;HOUSING,COMMUNAL;P-1;3;;;;01.01.2026;;12/34;10.01.2026";
    private const string Owner = "R-2;ADD;P-9;11223344595;Петров;Иван;;05.05.1953;100200301;ELS-7;;3;KR70;;CASH;0.5;KR;P-9,P-10;1;33.00;1;1;01.04.2026;31.12.2026;15;14.04.2026";

    private static string File(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    private static byte[] Utf8(string text, bool bom) => [.. (bom ? Encoding.UTF8.Preamble.ToArray() : []), .. Encoding.UTF8.GetBytes(text)];

    public static TheoryData<string> Encodings_ => ["utf8-bom", "utf8", "cp1251"];

    [Theory]
    [MemberData(nameof(Encodings_))]
    public void A_valid_registry_is_read_in_either_encoding(string encoding)
    {
        var text = File(Header, Labour, Owner, "#TRAILER;2;1.0");
        byte[] bytes = encoding == "cp1251" ? Encodings.Cp1251.GetBytes(text) : Utf8(text, encoding == "utf8-bom");
        var parse = BenregFile.Parse(bytes, Name);

        parse.Errors.ShouldBeEmpty();
        parse.Ok.ShouldBeTrue();
        parse.Name.ShouldBe(new UsznFileName("BENREG", "ERC66", "USZN01", new BillingPeriod(2026, 4), 1));
        parse.Rows.Count.ShouldBe(2);
        var labour = parse.Rows[0];
        labour.Line.ShouldBe(2);
        (labour.LastName, labour.FirstName, labour.MiddleName).ShouldBe(("Иванова", "Мария", "Петровна"));
        labour.LegalBasis.ShouldBe("Закон области; ст. 5");
        labour.Action.ShouldBe(BenefitRightAction.Add);
        labour.Form.ShouldBe(BenefitDeliveryMode.InKind);
        labour.Rate.ShouldBe(0.5m);
        labour.Services.ShouldBe([BenefitServiceGroup.Housing, BenefitServiceGroup.Communal]);
        labour.CoveredPersonIds.ShouldBe(["P-1"]);
        labour.ValidTo.ShouldBeNull();
        labour.HouseFiasGuid.ShouldBe(Guid.Parse("0c5b2444-70a0-4932-980c-b4dc0d3f02b5"));
        labour.DecisionDate.ShouldBe(new DateOnly(2026, 1, 10));
        var owner = parse.Rows[1];
        owner.Snils.ShouldBe("112-233-445 95");
        owner.Els.ShouldBe("ELS-7");
        owner.MiddleName.ShouldBeNull();
        owner.CoveredPersonIds.ShouldBe(["P-9", "P-10"]);
        (owner.FamilySize, owner.AreaStandardM2, owner.ShareNum, owner.ShareDen).ShouldBe((1, 33.00m, 1, 1));
        owner.ValidTo.ShouldBe(new DateOnly(2026, 12, 31));
    }

    [Fact]
    public void A_malformed_registry_is_refused_whole_with_every_reason_and_line()
    {
        var text = File(Header,
            Labour,                                                                                  // 2: fine
            Owner.Replace(";0.5;KR;", ";1.5;KR;", StringComparison.Ordinal),                          // 3: rate above 1
            Owner.Replace("R-2", "R-3").Replace("31.12.2026", "31.03.2026"),                         // 4: ends before it starts
            Owner.Replace("R-2", "R-4").Replace("05.05.1953", "31.02.1953"),                         // 5: no such day
            Labour,                                                                                  // 6: RightId R-1 again
            Owner.Replace("R-2", "R-6").Replace(";ADD;", ";DELETE;").Replace("11223344595", "11223344596"), // 7: action, SNILS
            "#TRAILER;5;3.0");                                                                       // 8: six rows, not five

        var parse = BenregFile.Parse(Encoding.UTF8.GetBytes(text), Name);

        parse.Ok.ShouldBeFalse();
        parse.Rows.ShouldBeEmpty();
        var errors = parse.Errors.Select(e => (e.Line, e.Code, Column: e.Message.Split(':')[0])).ToList();
        errors.ShouldBe(
        [
            (3, BenefitRowError.BadFormat, "Rate"),
            (4, BenefitRowError.BadDates, "ValidTo"),
            (5, BenefitRowError.BadFormat, "BirthDate"),
            (6, BenefitRowError.BadFormat, "RightId «R-1» уже был в строке 2"),
            (7, BenefitRowError.BadFormat, "Action"),
            (7, BenefitRowError.BadFormat, "Snils"),
            (8, BenefitRowError.BadFormat, "В строке итога 5 строк, в файле 6"),
        ]);
        parse.Errors[0].Message.ShouldContain("не больше 1");
        parse.Errors[1].RightId.ShouldBe("R-3");
        parse.Errors[1].AccountNumber.ShouldBe("100200301");
        parse.Errors[2].Message.ShouldContain("не дата ДД.ММ.ГГГГ");
        parse.Errors[5].Message.ShouldContain("контрольное число");
    }

    [Fact]
    public void Missing_and_unknown_columns_a_bad_name_and_no_trailer_are_reported()
    {
        var header = Header.Replace(";Els;", ";Extra;", StringComparison.Ordinal);
        var parse = BenregFile.Parse(Encoding.UTF8.GetBytes(File(header, Labour)), "benreg.csv");
        parse.Rows.ShouldBeEmpty();
        parse.Errors.Select(e => (e.Line, e.Message)).ShouldBe(
        [
            (null, "Имя файла «benreg.csv» — не OPENERC_BENREG_<код ЕРЦ>_<код УСЗН>_<ГГГГММ>_<номер>.csv"),
            (1, "Неизвестный столбец «Extra»"),
            (1, "Нет столбца «Els»"),
            (null, "Нет последней строки #TRAILER;<число строк>;<сумма Rate>: файл неполный"),
        ]);
    }

    [Fact]
    public void A_row_with_another_number_of_fields_and_a_wrong_trailer_sum_are_errors()
    {
        var parse = BenregFile.Parse(Encoding.UTF8.GetBytes(File(Header, Labour + ";x", Owner, "#TRAILER;2;1.00")), Name);
        parse.Errors.Select(e => e.Line).ShouldBe([2]);
        BenregFile.Parse(Encoding.UTF8.GetBytes(File(Header, Labour, Owner, "#TRAILER;2;0.75")), Name)
            .Errors.Single().Message.ShouldBe("В строке итога сумма Rate 0.75, по строкам файла 1.00");
    }

    [Fact]
    public void The_error_report_lists_each_refused_row_with_its_code_and_a_trailer()
    {
        var bytes = BenerrFile.Write(
        [
            new(4, "R-3", "100200301", BenefitRowError.BadDates, "ValidTo: 31.03.2026 раньше ValidFrom 01.04.2026"),
            new(2, "R-1", "999", BenefitRowError.AccountNotFound, ""),
        ]);
        var lines = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF').Split("\r\n");
        lines[..4].ShouldBe(
        [
            "RightId;AccountNumber;Line;Code;Message",
            "R-3;100200301;4;BAD_DATES;ValidTo: 31.03.2026 раньше ValidFrom 01.04.2026",
            "R-1;999;2;ACCOUNT_NOT_FOUND;Лицевой счёт не найден",
            "#TRAILER;2;0.00",
        ]);
    }

    // benefits.md §7.1 (Model A: nothing applied, the beneficiary's share exported) and §7.3.
    private static BenefitChargeRow Heating => new(new BillingPeriod(2026, 4), "R-1", "100200300", null, "112-233-445 95", "HEAT", "Отопление", "6612345678",
        "Гкал", BenefitCalcMethod.Norm, 2845.60m, 1.35432m, 0.0198m, 3, 1, 68.4m, 54m, null, 18m, Money.Exact(3853.85m), Money.Zero, Money.Zero,
        Money.Exact(507.09m), Money.Zero, 0, Money.Exact(3853.85m), Money.Zero, Money.Zero);

    private static BenefitChargeRow Maintenance => Heating with
    {
        ServiceCode = "MAINT", ServiceName = "Содержание жилого помещения", Unit = "м²", CalcMethod = BenefitCalcMethod.Other, Tariff = 28.40m,
        VolumeTotal = null, NormPerPerson = null, Charged = Money.Exact(1942.56m), BeneficiaryShareAmount = Money.Exact(255.60m), Paid = Money.Exact(1000m),
        DebtEnd = Money.Exact(942.56m),
    };

    private static BenefitChargeRow CapitalRepair => Heating with
    {
        RightId = "R-2", AccountNumber = "100200301", ServiceCode = "KR", ServiceName = "Взнос на капремонт", Unit = "м²", CalcMethod = BenefitCalcMethod.Other,
        Tariff = 17.20m, VolumeTotal = null, NormPerPerson = null, Residents = 1, PremiseArea = 45.6m, AreaStandardUsed = 33m, BaseArea = 33m,
        Charged = Money.Exact(784.32m), BeneficiaryShareAmount = Money.Exact(261.20m), Paid = Money.Exact(784.32m),
    };

    [Fact]
    public void Charges_per_beneficiary_written_and_read_back()
    {
        var bytes = BenchgFile.Write([Heating, Maintenance, CapitalRepair]);
        bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble).ShouldBeTrue();
        var lines = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF').Split("\r\n");
        lines.Length.ShouldBe(7); // header, 3 rows, TOTAL, trailer, the empty rest after the last CRLF
        lines[0].ShouldBe(
            "Period;RightId;AccountNumber;Els;Snils;ServiceCode;ServiceName;RecipientInn;Unit;CalcMethod;Tariff;VolumeTotal;NormPerPerson;Residents;Covered;" +
            "PremiseArea;AreaStandardUsed;BaseVolume;BaseArea;Charged;Recalculated;DiscountApplied;BeneficiaryShareAmount;ExcludedCoefficientAmount;" +
            "AbsenceDays;Paid;DebtEnd;CourtDebt");
        lines[1].ShouldBe("2026-04;R-1;100200300;;112-233-445 95;HEAT;Отопление;6612345678;Гкал;N;2845.60;1.354320;0.019800;3;1;68.40;54.00;;18.00;" +
                          "3853.85;0.00;0.00;507.09;0.00;0;3853.85;0.00;0.00");
        var kr = lines[3].Split(';').Select((v, i) => (BenchgFile.Columns[i], v)).ToDictionary();
        (kr["ServiceCode"], kr["PremiseArea"], kr["Tariff"], kr["AreaStandardUsed"], kr["Charged"], kr["BeneficiaryShareAmount"])
            .ShouldBe(("KR", "45.60", "17.20", "33.00", "784.32", "261.20"));
        lines[4].ShouldBe("TOTAL;;;;;;;;;;;;;;;;;;;6580.73;0.00;0.00;1023.89;0.00;;5638.17;942.56;0.00");
        lines[5].ShouldBe("#TRAILER;3;6580.73");
    }

    [Fact]
    public void Charges_per_beneficiary_in_windows_1251()
    {
        var bytes = BenchgFile.Write([Heating], UsznEncoding.Windows1251);
        bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble).ShouldBeFalse();
        var text = Encodings.Cp1251.GetString(bytes);
        text.ShouldContain(";Отопление;");
        bytes.ShouldContain((byte)0xCE); // «О» in cp1251
        text.ShouldEndWith("#TRAILER;1;3853.85\r\n");
    }

    [Fact]
    public void A_character_windows_1251_lacks_is_an_error_naming_the_row()
    {
        var e = Should.Throw<UsznFileException>(() => BenchgFile.Write([Heating, Heating with { ServiceName = "Отопление ₽" }], UsznEncoding.Windows1251));
        e.Message.ShouldBe("Строка 3 (RightId R-1, ЛС 100200300, услуга HEAT): символ «₽» не записывается в кодировке Windows-1251 — выгрузите файл в UTF-8");
    }

    [Fact]
    public void The_xml_variant_has_one_element_per_row_named_by_the_columns()
    {
        var xml = XDocument.Parse(Encoding.UTF8.GetString(BenchgFile.WriteXml([Heating, CapitalRepair])));
        xml.Root!.Name.LocalName.ShouldBe("BENCHG");
        xml.Root.Elements("Row").Count().ShouldBe(2);
        xml.Root.Elements("Row").Last().Element("BeneficiaryShareAmount")!.Value.ShouldBe("261.20");
        xml.Root.Element("TOTAL")!.Element("Charged")!.Value.ShouldBe("4638.17");
        xml.Root.Element("TRAILER")!.Element("Rows")!.Value.ShouldBe("2");
    }

    [Fact]
    public void File_names_are_written_and_read()
    {
        var name = new UsznFileName(UsznFileName.Benchg, "ERC66", "USZN01", new BillingPeriod(2026, 4), 7);
        name.ToString().ShouldBe("OPENERC_BENCHG_ERC66_USZN01_202604_007.csv");
        UsznFileName.TryParse("/tmp/" + name.ToString("xml")).ShouldBe(name);
        UsznFileName.TryParse("OPENERC_BENCHG_ERC66_USZN01_202613_007.csv").ShouldBeNull();
    }
}
