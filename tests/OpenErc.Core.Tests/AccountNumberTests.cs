using OpenErc.Core.Accounts;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

public sealed class AccountNumberTests
{
    [Theory]
    [InlineData(1, "0000000018")]
    [InlineData(123456789, "1234567897")]
    public void Number_is_nine_digits_and_a_luhn_digit(long serial, string expected)
    {
        AccountNumber.Create(serial).ShouldBe(expected);
        AccountNumber.Check(expected).ShouldBeNull();
    }

    [Fact]
    public void Single_typos_and_swapped_neighbours_are_caught()
    {
        var number = AccountNumber.Create(420_317_565);
        for (int i = 0; i < 10; i++)
            for (char d = '0'; d <= '9'; d++)
                if (number[i] != d)
                    AccountNumber.Check(number[..i] + d + number[(i + 1)..]).ShouldNotBeNull();
        for (int i = 0; i < 9; i++)
        {
            if (number[i] == number[i + 1] || (number[i], number[i + 1]) is ('0', '9') or ('9', '0')) continue;
            var swapped = number[..i] + number[i + 1] + number[i] + number[(i + 2)..];
            AccountNumber.Check(swapped).ShouldBe("Неверная контрольная цифра номера лицевого счёта");
        }
    }

    [Theory]
    [InlineData("", "Укажите номер лицевого счёта")]
    [InlineData("123", "Номер лицевого счёта должен состоять из 10 цифр")]
    [InlineData("12345678AB", "Номер лицевого счёта должен состоять из 10 цифр")]
    [InlineData("1234567890", "Неверная контрольная цифра номера лицевого счёта")]
    public void Bad_numbers_are_explained(string number, string message) => AccountNumber.Check(number).ShouldBe(message);

    [Fact]
    public void Serial_out_of_range_is_refused() => Should.Throw<ArgumentOutOfRangeException>(() => AccountNumber.Create(1_000_000_000));
}
