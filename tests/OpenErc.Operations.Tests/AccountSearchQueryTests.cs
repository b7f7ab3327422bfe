using OpenErc.Operations.Registry;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>How the account search reads what an operator types, before any database is asked.</summary>
public sealed class AccountSearchQueryTests
{
    [Theory]
    [InlineData("1234567", "1234568")]
    [InlineData("12399", "124")]
    [InlineData("100009", "10001")]
    [InlineData("999999", null)]
    public void A_numbers_first_digits_end_before_the_next_prefix(string digits, string? end) =>
        AccountSearch.PrefixEnd(digits).ShouldBe(end);

    [Fact]
    public void Addresses_are_read_as_house_and_flat_and_long_numbers_as_accounts()
    {
        var q = AccountSearch.SearchQuery.Parse("Ленина, 5-12");
        Read(q).ShouldBe("ленина | 5 | 12");
        q = AccountSearch.SearchQuery.Parse("черёмуховая д. 17 корп. 2 кв 3");
        Read(q).ShouldBe("черемуховая | 17 2 | 3");
        AccountSearch.SearchQuery.Parse("1000123").AccountNumbers.ShouldBe(["1000123"]);
    }

    private static string Read(AccountSearch.SearchQuery q) => $"{string.Join(' ', q.Words)} | {string.Join(' ', q.House)} | {q.Flat}";
}
