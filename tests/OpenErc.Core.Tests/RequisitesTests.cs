using OpenErc.Core.Organisations;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

public sealed class RequisitesTests
{
    private const string Bik = "044525225";

    [Theory]
    [InlineData("7707083893")]   // ПАО Сбербанк
    [InlineData("500100732259")] // an individual's 12-digit ИНН
    public void Valid_inn_passes(string inn) => Requisites.CheckInn(inn).ShouldBeNull();

    [Theory]
    [InlineData("7707083894", "Неверное контрольное число ИНН")]
    [InlineData("500100732258", "Неверное контрольное число ИНН")]
    [InlineData("77070838", "ИНН должен состоять из 10 или 12 цифр")]
    [InlineData("77070838AB", "ИНН должен состоять из 10 или 12 цифр")]
    [InlineData("", "Укажите ИНН")]
    public void Invalid_inn_is_explained(string inn, string message) => Requisites.CheckInn(inn).ShouldBe(message);

    [Theory]
    [InlineData("1027700132195", null)]
    [InlineData("304500116000157", null)] // ОГРНИП
    [InlineData("1027700132196", "Неверное контрольное число ОГРН")]
    [InlineData("102770013219", "ОГРН должен состоять из 13 цифр (ОГРНИП — из 15)")]
    public void Ogrn_control_digit(string ogrn, string? message) => Requisites.CheckOgrn(ogrn).ShouldBe(message);

    [Theory]
    [InlineData("773601001", null)]
    [InlineData("7736AB001", null)]
    [InlineData("77360100", "КПП должен состоять из 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры")]
    [InlineData("7736ab001", "КПП должен состоять из 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры")]
    public void Kpp_format(string kpp, string? message) => Requisites.CheckKpp(kpp).ShouldBe(message);

    [Theory]
    [InlineData("044525225", null)]
    [InlineData("144525225", "БИК должен состоять из 9 цифр и начинаться с 04")]
    [InlineData("04452522", "БИК должен состоять из 9 цифр и начинаться с 04")]
    public void Bik_format(string bik, string? message) => Requisites.CheckBik(bik).ShouldBe(message);

    [Fact]
    public void Correspondent_account_of_sberbank_checks_against_its_bik()
    {
        Requisites.CheckCorrespondentAccount("30101810400000000225", Bik).ShouldBeNull();
        Requisites.CheckCorrespondentAccount("30101810500000000225", Bik).ShouldBe("Ключ корреспондентского счёта не сходится с БИК");
        Requisites.CheckCorrespondentAccount("40702810400000000225", Bik).ShouldBe("Корреспондентский счёт должен состоять из 20 цифр и начинаться с 30101");
    }

    [Fact]
    public void Settlement_account_key_catches_every_single_digit_error()
    {
        var account = Requisites.CompleteSettlementAccount("40702810000000012345", Bik);
        Requisites.CheckSettlementAccount(account, Bik).ShouldBeNull();
        for (int position = 0; position < 20; position++)
            for (char digit = '0'; digit <= '9'; digit++)
            {
                if (account[position] == digit) continue;
                var typo = account[..position] + digit + account[(position + 1)..];
                Requisites.CheckSettlementAccount(typo, Bik).ShouldBe("Ключ расчётного счёта не сходится с БИК", typo);
            }
    }

    [Fact]
    public void Settlement_account_of_another_bank_fails()
    {
        var account = Requisites.CompleteSettlementAccount("40702810000000012345", Bik);
        Requisites.CheckSettlementAccount(account, "044525593").ShouldBe("Ключ расчётного счёта не сходится с БИК");
        Requisites.CheckSettlementAccount(account, "12345").ShouldBe("Сначала укажите верный БИК");
    }

    [Fact]
    public void Completed_inn_and_ogrn_are_valid()
    {
        Requisites.CheckInn(Requisites.CompleteInn10("660100001")).ShouldBeNull();
        Requisites.CheckOgrn(Requisites.CompleteOgrn("102660000001")).ShouldBeNull();
        Requisites.CheckOgrn(Requisites.CompleteOgrn("30466000000001")).ShouldBeNull();
    }

    [Fact]
    public void Organisation_reports_every_bad_requisite_by_field()
    {
        var org = new Organisation
        {
            Kind = OrganisationKind.ResourceSupplier, Name = "ООО «Водоканал»", Inn = "7707083894", Kpp = "77", Ogrn = "1027700132195",
            Bik = Bik, SettlementAccount = "40702810000000012345", CorrespondentAccount = "30101810400000000225",
        };
        var errors = Common.RegistryValidation.Validate(org);
        errors.Keys.ShouldBe(["Inn", "Kpp", "SettlementAccount"], ignoreOrder: true);
        errors["Inn"].ShouldBe(["Неверное контрольное число ИНН"]);
    }
}
