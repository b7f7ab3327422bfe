using OpenErc.Core.Common;
using OpenErc.Operations.Receipts;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>The receipt's payment string follows ГОСТ Р 56042 as epd-and-qr.md §4 lays it out, and reads back.</summary>
public sealed class PaymentQrTests
{
    private static readonly QrPayee Centre = new("ООО \"ЕРЦ Пример\"", "40702810900000012345", "ПАО Сбербанк", "044525225", "30101810400000000225",
        "7701234567", "770101001");

    [Fact]
    public void The_string_of_the_domain_example_is_generated_with_the_mandatory_requisites_first()
    {
        var payload = PaymentQr.Payload(Centre, "1002003001", new BillingPeriod(2026, 3), 5234.17m, "г. Пример, ул. Ленина, д. 1, кв. 5");

        payload.ShouldBe("ST00012|Name=ООО \"ЕРЦ Пример\"|PersonalAcc=40702810900000012345|BankName=ПАО Сбербанк|BIC=044525225|" +
                         "CorrespAcc=30101810400000000225|Sum=523417|Purpose=Оплата ЖКУ за 03.2026 ЛС 1002003001|PayeeINN=7701234567|KPP=770101001|" +
                         "PayerAddress=г. Пример, ул. Ленина, д. 1, кв. 5|PersAcc=1002003001|PaymPeriod=032026|Category=ЖКУ|TechCode=02");
        PaymentQr.Check(payload).ShouldBeEmpty();
        var fields = PaymentQr.Parse(payload);
        (fields["Sum"], fields["persacc"], fields["PaymPeriod"], fields["TechCode"]).ShouldBe(("523417", "1002003001", "032026", "02"));
    }

    [Fact]
    public void Nothing_to_pay_leaves_out_the_sum_and_separators_in_values_are_removed()
    {
        var payload = PaymentQr.Payload(Centre with { Name = "ТСЖ | Ромашка" }, "1002003001", new BillingPeriod(2026, 11), 0m, "ул. Мира|7\nкв. 2",
            new PaymentQrOptions("MMyy"));

        var fields = PaymentQr.Parse(payload);
        fields.ContainsKey("Sum").ShouldBeFalse();
        (fields["Name"], fields["PayerAddress"], fields["PaymPeriod"]).ShouldBe(("ТСЖ   Ромашка", "ул. Мира 7 кв. 2", "1126"));
        PaymentQr.Check(payload).ShouldBeEmpty();
    }

    [Fact]
    public void The_checklist_names_what_is_wrong_in_russian()
    {
        PaymentQr.Check("ST00012|PersonalAcc=40702810900000012345|Name=X").ShouldContain("обязательный реквизит Name должен быть 1-м");
        PaymentQr.Check("ST00012|Name=X|PersonalAcc=123|BankName=Б|BIC=04452522|CorrespAcc=30101810400000000225|Sum=12.50|TechCode=Коммунальные")
            .ShouldBe(["BIC — 9 цифр", "PersonalAcc — 20 цифр", "Sum — целое число копеек", "TechCode — две цифры"]);
        Should.Throw<ArgumentException>(() => PaymentQr.Payload(Centre, "1002003001", new BillingPeriod(2026, 3), 1.005m)).Message.ShouldContain("не в копейках");
    }
}
