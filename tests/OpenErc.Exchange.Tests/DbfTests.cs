using System.Text;
using OpenErc.Exchange.Dbf;
using Shouldly;
using Xunit;

namespace OpenErc.Exchange.Tests;

/// <summary>exchange.md §4: the DBF header, descriptors, records, types and code pages; every broken file refused with its place.</summary>
public sealed class DbfTests
{
    private static readonly DbfField[] Fields =
    [
        new("LS", 'C', 10, 0), new("FIO", 'C', 30, 0), new("SUMMA", 'N', 12, 2), new("DATA", 'D', 8, 0), new("PAID", 'L', 1, 0),
    ];

    private static readonly object?[][] Rows =
    [
        ["1000000017", "Иванова Анна Сергеевна", 1234.56m, new DateOnly(2026, 11, 5), true],
        ["1000000025", "Пётр Ёлкин", 0.5m, null, false],
    ];

    [Fact]
    public void A_table_built_byte_by_byte_per_the_spec_reads_back()
    {
        // Header (32) + one descriptor (32) + 0x0D, then one live and one deleted record of «C 5».
        var bytes = new List<byte>();
        var header = new byte[32];
        header[0] = 0x03;
        header[4] = 2;                    // two records
        header[8] = 32 + 32 + 1;          // header length 65
        header[10] = 6;                   // record length: flag + 5
        header[29] = 0x26;                // cp866
        bytes.AddRange(header);
        var field = new byte[32];
        Encoding.ASCII.GetBytes("NAME").CopyTo(field, 0);
        field[11] = (byte)'C';
        field[16] = 5;
        bytes.AddRange(field);
        bytes.Add(0x0D);
        bytes.Add((byte)' ');
        bytes.AddRange(Encodings.Cp866.GetBytes("Лена "));
        bytes.Add((byte)'*');
        bytes.AddRange(Encodings.Cp866.GetBytes("Иван "));
        bytes.Add(0x1A);

        var table = DbfFile.Read([.. bytes]);
        table.Errors.ShouldBeEmpty();
        table.Fields.ShouldBe([new DbfField("NAME", 'C', 5, 0)]);
        table.Records.Select(r => (r.Number, r["name"])).ShouldBe([(1, (object?)"Лена")]);
        table.Encoding.CodePage.ShouldBe(866);
    }

    [Theory]
    [InlineData(866)]
    [InlineData(1251)]
    public void Written_values_read_back_in_the_code_page_the_bytes_read_best_in(int codePage)
    {
        var encoding = codePage == 866 ? Encodings.Cp866 : Encodings.Cp1251;
        var file = DbfFile.Write(Fields, Rows, encoding, new DateOnly(2026, 12, 1));
        file[29] = 0; // the code page byte left empty, as DOS programs do: the text decides
        var table = DbfFile.Read(file);
        table.Errors.ShouldBeEmpty();
        table.Encoding.CodePage.ShouldBe(codePage);
        table.Records.Select(r => (r["LS"], r["FIO"], r["SUMMA"], r["DATA"], r["PAID"])).ShouldBe(
        [
            ("1000000017", "Иванова Анна Сергеевна", 1234.56m, new DateOnly(2026, 11, 5), true),
            ("1000000025", "Пётр Ёлкин", 0.5m, null, false),
        ]);
    }

    [Fact]
    public void A_truncated_file_is_refused_whole()
    {
        var file = DbfFile.Write(Fields, Rows, Encodings.Cp866, new DateOnly(2026, 12, 1));
        var table = DbfFile.Read(file[..(file.Length - 40)]);
        table.Records.ShouldBeEmpty();
        table.Errors.Single().Reason.ShouldBe("Файл обрезан: заявлено записей 2, полностью в файле 1");
        DbfFile.Read(file[..50]).Errors.Single().Reason.ShouldBe("Файл обрезан посреди описания полей");
        DbfFile.Read(Encoding.UTF8.GetBytes("ЛС;Сумма;Дата\r\n1000000017;100.00;01.12.2026\r\n")).Errors.Single().Reason.ShouldStartWith("Неизвестная версия DBF");
    }

    [Fact]
    public void Bad_values_are_errors_of_their_record_and_field()
    {
        var file = DbfFile.Write(Fields, Rows, Encodings.Cp866, new DateOnly(2026, 12, 1));
        int record2 = 32 + 32 * Fields.Length + 1 + (1 + 10 + 30 + 12 + 8 + 1);
        Encoding.ASCII.GetBytes("************").CopyTo(file, record2 + 1 + 10 + 30);
        Encoding.ASCII.GetBytes("20261341").CopyTo(file, record2 + 1 + 10 + 30 + 12);
        var table = DbfFile.Read(file);
        table.Errors.Select(e => e.ToString()).ShouldBe(
        [
            "запись 2, поле SUMMA: Число не поместилось в поле (звёздочки)",
            "запись 2, поле DATA: Не дата ГГГГММДД: «20261341»",
        ]);
    }

    [Fact]
    public void A_code_page_forced_wrong_shows_as_an_error_of_the_text()
    {
        // cp1251 bytes read as cp866 give box-drawing characters.
        var file = DbfFile.Write(Fields, Rows, Encodings.Cp1251, new DateOnly(2026, 12, 1));
        var table = DbfFile.Read(file, Encodings.Cp866);
        table.Errors.Count.ShouldBe(2);
        table.Errors[0].ToString().ShouldStartWith("запись 1, поле FIO: Текст «");
        table.Errors[0].Reason.ShouldEndWith("неверная кодировка файла");
    }
}
