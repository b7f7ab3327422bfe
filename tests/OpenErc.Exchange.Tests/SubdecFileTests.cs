using System.Text;
using OpenErc.Core.Common;
using OpenErc.Exchange.Uszn;
using Shouldly;
using Xunit;

namespace OpenErc.Exchange.Tests;

/// <summary>SUBDEC (our layout for УСЗН's subsidy decisions, benefits.md §4): read whole or refused whole with every reason and line.</summary>
public sealed class SubdecFileTests
{
    private const string Name = "OPENERC_SUBDEC_ERC66_USZN01_202605_001.csv";
    private static readonly string Header = string.Join(';', SubdecFile.Columns);

    // The applicant named by СНИЛС and name; then a decision with no applicant, closed on its last day.
    private const string Named = "S-1;ADD;100200300;112-233-445 95;Иванова;Мария;Петровна;1250.50;01.05.2026;31.10.2026;С-17/2026;20.04.2026";
    private const string Bare = "S-2;CLOSE;100200301;;;;;980.00;01.03.2026;30.06.2026;С-18/2026;25.02.2026";

    private static string File(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    public static TheoryData<string> Encodings_ => ["utf8-bom", "utf8", "cp1251"];

    [Theory]
    [MemberData(nameof(Encodings_))]
    public void Valid_decisions_are_read_in_either_encoding(string encoding)
    {
        var text = File(Header, Named, Bare, "#TRAILER;2;2230.50");
        byte[] bytes = encoding switch
        {
            "cp1251" => Encodings.Cp1251.GetBytes(text),
            "utf8-bom" => [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(text)],
            _ => Encoding.UTF8.GetBytes(text),
        };

        var parse = SubdecFile.Parse(bytes, Name);

        parse.Errors.ShouldBeEmpty();
        parse.Ok.ShouldBeTrue();
        parse.Name.ShouldBe(new UsznFileName("SUBDEC", "ERC66", "USZN01", new BillingPeriod(2026, 5), 1));
        parse.Rows.ShouldBe(
        [
            new(2, "S-1", SubsidyDecisionAction.Add, "100200300", "112-233-445 95", "Иванова", "Мария", "Петровна", 1250.50m, new DateOnly(2026, 5, 1),
                new DateOnly(2026, 10, 31), "С-17/2026", new DateOnly(2026, 4, 20)),
            new(3, "S-2", SubsidyDecisionAction.Close, "100200301", null, null, null, null, 980.00m, new DateOnly(2026, 3, 1), new DateOnly(2026, 6, 30),
                "С-18/2026", new DateOnly(2026, 2, 25)),
        ]);
        parse.Rows[0].NamesApplicant.ShouldBeTrue();
        parse.Rows[1].NamesApplicant.ShouldBeFalse();
    }

    [Fact]
    public void A_malformed_file_is_refused_whole_with_every_reason_and_line()
    {
        string S(string id, string from, string to) => Named.Replace("S-1", id, StringComparison.Ordinal).Replace(from, to, StringComparison.Ordinal);
        var text = File(Header,
            Named,                                                    // 2: fine
            S("S-3", ";1250.50;", ";0.00;"),                          // 3: amount not above 0
            S("S-4", ";1250.50;", ";12.345;"),                        // 4: not kopecks
            S("S-5", ";1250.50;", ";много;"),                         // 5: not a number
            S("S-6", "31.10.2026", "30.04.2026"),                     // 6: ends before it starts
            S("S-7", "01.05.2026", "15.05.2026"),                     // 7: not the 1st of a month
            S("S-8", "31.10.2026", "31.11.2026"),                     // 8: no such day
            S("S-9", "31.10.2026;", ";"),                             // 9: no last day
            S("S-10", ";ADD;", ";DELETE;"),                           // 10: unknown action
            S("S-11", "112-233-445 95", "112-233-445 96"),            // 11: SNILS check number
            Named,                                                    // 12: DecisionId S-1 again
            "#TRAILER;10;1250.50");                                   // 13: eleven rows, not ten

        var parse = SubdecFile.Parse(Encoding.UTF8.GetBytes(text), Name);

        parse.Ok.ShouldBeFalse();
        parse.Rows.ShouldBeEmpty();
        parse.Errors.Select(e => (e.Line, e.Code, e.Message)).ShouldBe(
        [
            (3, BenefitRowError.BadFormat, "Amount: 0.00 — сумма в месяц больше 0, в рублях с копейками (не более 2 знаков после точки)"),
            (4, BenefitRowError.BadFormat, "Amount: 12.345 — сумма в месяц больше 0, в рублях с копейками (не более 2 знаков после точки)"),
            (5, BenefitRowError.BadFormat, "Amount: «много» — не число"),
            (6, BenefitRowError.BadDates, "ValidTo: 30.04.2026 раньше ValidFrom 01.05.2026"),
            (7, BenefitRowError.BadDates, "ValidFrom: 15.05.2026 — субсидия назначается с 1-го числа месяца"),
            (8, BenefitRowError.BadFormat, "ValidTo: «31.11.2026» — не дата ДД.ММ.ГГГГ"),
            (9, BenefitRowError.BadFormat, "ValidTo: не заполнено"),
            (10, BenefitRowError.BadFormat, "Action: «DELETE» — не ADD, CHANGE, CLOSE"),
            (11, BenefitRowError.BadFormat, "Snils: «112-233-445 96» — неверный СНИЛС (вид 000-000-000 00, контрольное число)"),
            (12, BenefitRowError.BadFormat, "DecisionId «S-1» уже был в строке 2"),
            (13, BenefitRowError.BadFormat, "В строке итога 10 строк, в файле 11"),
        ]);
        parse.Errors[3].RightId.ShouldBe("S-6");
        parse.Errors[3].AccountNumber.ShouldBe("100200300");
    }

    [Fact]
    public void Missing_and_unknown_columns_a_bad_name_a_missing_trailer_and_a_wrong_sum_are_reported()
    {
        var header = Header.Replace(";Amount;", ";Sum;", StringComparison.Ordinal);
        SubdecFile.Parse(Encoding.UTF8.GetBytes(File(header, Named)), "OPENERC_BENREG_ERC66_USZN01_202605_001.csv").Errors.Select(e => (e.Line, e.Message)).ShouldBe(
        [
            (null, "Имя файла «OPENERC_BENREG_ERC66_USZN01_202605_001.csv» — не OPENERC_SUBDEC_<код ЕРЦ>_<код УСЗН>_<ГГГГММ>_<номер>.csv"),
            (1, "Неизвестный столбец «Sum»"),
            (1, "Нет столбца «Amount»"),
            (null, "Нет последней строки #TRAILER;<число строк>;<сумма Amount>: файл неполный"),
        ]);
        SubdecFile.Parse(Encoding.UTF8.GetBytes(File(Header, Named, "#TRAILER;1;1250.00")), Name)
            .Errors.Single().Message.ShouldBe("В строке итога сумма Amount 1250.00, по строкам файла 1250.50");
        var noName = Named.Replace(";Иванова;Мария;", ";;Мария;", StringComparison.Ordinal);
        SubdecFile.Parse(Encoding.UTF8.GetBytes(File(Header, noName, "#TRAILER;1;1250.50")), Name)
            .Errors.Single().Message.ShouldBe("LastName: имя указано без фамилии");
    }

    [Fact]
    public void The_error_report_on_decisions_names_its_id_column()
    {
        var bytes = BenerrFile.Write([new(2, "S-1", "999", BenefitRowError.SubsidyOverlap, "")], columns: BenerrFile.SubdecColumns);
        Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF').Split("\r\n")[..3].ShouldBe(
        [
            "DecisionId;AccountNumber;Line;Code;Message",
            "S-1;999;2;SUBSIDY_OVERLAP;Сроки субсидий по лицевому счёту пересекаются",
            "#TRAILER;1;0.00",
        ]);
    }
}
