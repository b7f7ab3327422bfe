using System.Globalization;
using OpenErc.Core.Common;

namespace OpenErc.Web.Api;

/// <summary>
/// A month in a route or a query string (<c>/periods/{month}</c>, <c>?month=</c>) of any API: read here, and answered with
/// one Russian 400 ProblemDetails when it is not a month (<see cref="BillingPeriod.ParseError"/> as <c>detail</c> and under
/// the parameter's name in <c>errors</c>). Months in JSON bodies go through <c>BillingPeriodJsonConverter</c>.
/// </summary>
internal static class ApiMonth
{
    /// <summary>Null when <paramref name="text"/> is a month (then in <paramref name="month"/>), else the 400 to answer.</summary>
    public static IResult? Read(string? text, out BillingPeriod month, string name = "month")
    {
        if (BillingPeriod.TryParse(text, out month)) return null;
        var message = BillingPeriod.ParseError(text);
        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [name] = [message] }, detail: message,
            title: "Запрос не выполнен: исправьте ошибки");
    }

    /// <summary>
    /// Null when <paramref name="text"/> is empty (then <paramref name="today"/>) or a day ГГГГ-ММ-ДД within the centre's
    /// months (then in <paramref name="day"/>), else the 400 to answer naming <paramref name="what"/>.
    /// </summary>
    public static IResult? ReadDay(string? text, DateOnly today, out DateOnly day, string name = "on", string what = "Дата")
    {
        day = today;
        string? error = null;
        if (text is not null && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            error = $"{what} должна иметь вид ГГГГ-ММ-ДД: «{text}»";
        else if (!BillingPeriod.TryOf(day, out _))
            error = $"{what} должна быть в месяцах {BillingPeriod.MinValue} — {BillingPeriod.MaxValue}: «{text}»";
        return error is null ? null
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [name] = [error] }, title: "Запрос не выполнен: исправьте ошибки");
    }
}
