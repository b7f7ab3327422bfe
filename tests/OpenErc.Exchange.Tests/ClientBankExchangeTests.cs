using OpenErc.Exchange.Banks;
using Shouldly;
using Xunit;

namespace OpenErc.Exchange.Tests;

/// <summary>exchange.md §2: a bank statement read and checked, payment orders written and read back as valid exchange text.</summary>
public sealed class ClientBankExchangeTests
{
    private const string Ours = "40702810900000000001";

    /// <summary>A statement of the collecting account: two agents' transfers in, a commission out.</summary>
    private static string Statement(string received = "15000.50", string closing = "114900.50") => $"""
        1CClientBankExchange
        ВерсияФормата=1.03
        Кодировка=Windows
        Отправитель=Бухгалтерия предприятия
        Получатель=
        ДатаСоздания=03.12.2026
        ВремяСоздания=09:15:00
        ДатаНачала=02.12.2026
        ДатаКонца=02.12.2026
        РасчСчет={Ours}
        Документ=Платежное поручение
        СекцияРасчСчет
        ДатаНачала=02.12.2026
        ДатаКонца=02.12.2026
        РасчСчет={Ours}
        НачальныйОстаток=100000.00
        ВсегоПоступило={received}
        ВсегоСписано=100.00
        КонечныйОстаток={closing}
        КонецРасчСчет
        СекцияДокумент=Платежное поручение
        Номер=512
        Дата=02.12.2026
        Сумма=12000.50
        ПлательщикСчет=30301810000000000123
        ДатаСписано=02.12.2026
        ПлательщикИНН=7707083893
        Плательщик1=ПАО СБЕРБАНК
        ПолучательСчет={Ours}
        ДатаПоступило=02.12.2026
        ПолучательИНН=6612345678
        НазначениеПлатежа=Перечисление платежей населения за 01.12.2026, реестр № 48
        КонецДокумента
        СекцияДокумент=Платежное поручение
        Номер=77
        Дата=02.12.2026
        Сумма=3000.00
        ПлательщикРасчСчет=40702810500000000777
        ПлательщикИНН=6611111111
        ПолучательРасчСчет={Ours}
        ДатаПоступило=02.12.2026
        НазначениеПлатежа=Платежи за 01.12.2026
        КонецДокумента
        СекцияДокумент=Платежное поручение
        Номер=3
        Дата=02.12.2026
        Сумма=100.00
        ПлательщикСчет={Ours}
        ДатаСписано=02.12.2026
        ПолучательСчет=70601810000000000001
        НазначениеПлатежа=Комиссия банка
        КонецДокумента
        КонецФайла

        """.Replace("\n", "\r\n");

    [Fact]
    public void A_statement_reads_with_its_balances_and_documents_old_keys_included()
    {
        var file = ClientBankExchange.Read(Encodings.Cp1251.GetBytes(Statement()));
        file.Errors.ShouldBeEmpty();
        file.Header["Отправитель"].ShouldBe("Бухгалтерия предприятия");
        file.Accounts.ShouldBe([new BankAccountSection(Ours, new DateOnly(2026, 12, 2), new DateOnly(2026, 12, 2), 100000m, 15000.50m, 100m, 114900.50m)]);
        file.Credits(Ours).Select(d => (d.Number, d.Amount, d.PayerInn, d.Received)).ShouldBe(
        [
            ("512", 12000.50m, "7707083893", new DateOnly(2026, 12, 2)),
            ("77", 3000.00m, "6611111111", new DateOnly(2026, 12, 2)),
        ]);
        file.Documents[0].Purpose.ShouldBe("Перечисление платежей населения за 01.12.2026, реестр № 48");
    }

    [Fact]
    public void A_statement_in_the_dos_code_page_reads_the_same()
    {
        string dos = Statement().Replace("Кодировка=Windows", "Кодировка=DOS");
        var file = ClientBankExchange.Read(Encodings.Cp866.GetBytes(dos));
        file.Errors.ShouldBeEmpty();
        file.Documents[0].PayerName.ShouldBe("ПАО СБЕРБАНК");
    }

    [Fact]
    public void Broken_arithmetic_and_a_truncated_file_are_reported()
    {
        var file = ClientBankExchange.Read(Encodings.Cp1251.GetBytes(Statement(received: "15000.00", closing: "114900.50")));
        file.Errors.ShouldBe(
        [
            $"Счёт {Ours}: остаток 100000.00 + поступило 15000.00 − списано 100.00 ≠ остатку 114900.50",
            $"Счёт {Ours}: документы на поступление дают 15000.50, а «ВсегоПоступило» — 15000.00",
        ]);
        string text = Statement();
        var cut = ClientBankExchange.Read(Encodings.Cp1251.GetBytes(text[..text.IndexOf("Номер=77", StringComparison.Ordinal)]));
        cut.Errors.ShouldContain("Файл не заканчивается строкой «КонецФайла»: он обрезан");
        ClientBankExchange.Read(Encodings.Cp1251.GetBytes("ЛС;Сумма\r\n")).Errors.ShouldBe(["Строка 1: ожидается «1CClientBankExchange» — это не файл обмена 1С с банком"]);
    }

    [Fact]
    public void Payment_orders_are_written_as_exchange_text_that_reads_back()
    {
        var centre = new BankParty("ООО «ЕРЦ»", "6612345678", "661201001", Ours, "ПАО СБЕРБАНК", "г. Екатеринбург", "046577674", "30101810500000000674");
        var water = new BankParty("АО «Водоканал»", "6601234567", "660101001", "40702810100000000002", "АО «АЛЬФА-БАНК»", "г. Москва", "044525593",
            "30101810200000000593");
        var orders = new[]
        {
            new PaymentOrder(1, new DateOnly(2026, 12, 3), 15234.17m, centre, water,
                "Перечисление платежей населения за ЖКУ за 02.12.2026 по агентскому договору. НДС не облагается"),
        };
        var bytes = ClientBankExchange.Write(Ours, new DateTime(2026, 12, 3, 10, 30, 0), orders);
        string text = Encodings.Cp1251.GetString(bytes);
        text.ShouldStartWith("1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\n");
        text.ShouldEndWith("КонецДокумента\r\nКонецФайла\r\n");
        text.ShouldContain("ВидОплаты=01\r\nКод=0\r\nОчередность=5\r\n");

        var read = ClientBankExchange.Read(bytes);
        read.Errors.ShouldBeEmpty();
        var order = read.Documents.ShouldHaveSingleItem();
        (order.Kind, order.Number, order.Date, order.Amount, order.PayerAccount, order.PayeeAccount, order["ПолучательБИК"], order["ПолучательИНН"])
            .ShouldBe(("Платежное поручение", "1", new DateOnly(2026, 12, 3), 15234.17m, Ours, water.Account, "044525593", "6601234567"));
        read.Header["ДатаСоздания"].ShouldBe("03.12.2026");
        Should.Throw<ArgumentException>(() => ClientBankExchange.Write(Ours, new DateTime(2026, 12, 3), [orders[0] with { Purpose = new string('я', 211) }]));
    }
}
