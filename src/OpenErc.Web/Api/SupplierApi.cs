using System.Globalization;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

/// <summary>
/// The supplier cabinet under <c>/api/v1/supplier</c>: a user of the role «Поставщик услуг (РСО)» in a supplier's access
/// group sees its month by service, its debtors, its meters and the month's charges as CSV — only what is booked to its
/// own organisation (<see cref="SupplierReports"/>). Anyone else gets 403; a bad month is 400 in Russian.
/// </summary>
public static class SupplierApi
{
    private const string SupplierKey = "openerc:supplier";

    public static void MapSupplierApi(this IEndpointRouteBuilder app)
    {
        var supplier = app.MapGroup("/api/v1/supplier").WithTags("Кабинет поставщика").RequireAuthorization(Duties.SupplierCabinet)
            .AddEndpointFilter(SupplierFilter);

        supplier.MapGet("/summary", async (string? month, HttpContext http, OpenErcDatabase db, CancellationToken ct) =>
                ApiMonth.Read(month, out var period) ?? TypedResults.Ok(await SupplierReports.SummaryAsync(db.ConnectionString, Supplier(http), period, ct)))
            .WithSummary("Месяц поставщика по его услугам: входящее сальдо, начислено, перерасчёты, пени, оплачено, исходящее сальдо (month=ГГГГ-ММ)")
            .Produces<SupplierSummary>().ProducesValidationProblem().ProducesProblem(403);

        supplier.MapGet("/debtors", async (string? month, string? min, int? page, int? pageSize, HttpContext http, OpenErcDatabase db, CancellationToken ct) =>
            {
                if (ApiMonth.Read(month, out var period) is { } bad) return bad;
                decimal least = 0.01m;
                if (min is not null && !(decimal.TryParse(min, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out least) && least > 0))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["min"] = [$"Наименьший долг — положительное число с точкой, например 1000.50: «{min}»"] },
                        title: "Запрос не выполнен: исправьте ошибки");
                return TypedResults.Ok(await SupplierReports.DebtorsAsync(db.ConnectionString, Supplier(http), period, least, page ?? 1, pageSize ?? 50, ct));
            })
            .WithSummary("Должники поставщика на конец месяца (month=ГГГГ-ММ): лицевой счёт, адрес и долг по всем его услугам, от большего; min — наименьший долг")
            .Produces<Page<SupplierDebtor>>().ProducesValidationProblem().ProducesProblem(403);

        supplier.MapGet("/meters", async (int? page, int? pageSize, HttpContext http, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
                TypedResults.Ok(await SupplierReports.MetersAsync(db.ConnectionString, Supplier(http), clock.Today,
                    page ?? 1, pageSize ?? 50, ct)))
            .WithSummary("Приборы учёта ресурсов поставщика в домах, где у него действует договор: последнее показание и дата следующей поверки")
            .Produces<Page<SupplierMeter>>().ProducesProblem(403);

        supplier.MapGet("/export/charges.csv", (string? month, HttpContext http, OpenErcDatabase db) =>
                ApiMonth.Read(month, out var period) ?? Results.Stream(
                    body => SupplierReports.WriteChargesCsvAsync(db.ConnectionString, Supplier(http), period, body, http.RequestAborted),
                    "text/csv; charset=utf-8", $"Начисления {period}.csv"))
            .WithSummary("Начисления месяца поставщика по лицевым счетам и услугам: CSV (UTF-8, «;») с сальдо, перерасчётами и оплатой")
            .Produces(200, contentType: "text/csv").ProducesValidationProblem().ProducesProblem(403);
    }

    /// <summary>Only a user of a supplier's access group reaches the endpoints; its organisation is kept for them.</summary>
    private static async ValueTask<object?> SupplierFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var scope = await http.RequestServices.GetRequiredService<Scopes>().ForAsync(http.User, http.RequestAborted);
        if (scope.SupplierId is not { } supplier)
            return TypedResults.Problem("Кабинет поставщика открыт только пользователям группы доступа поставщика", statusCode: 403, title: "Нет доступа");
        http.Items[SupplierKey] = supplier;
        return await next(context);
    }

    private static long Supplier(HttpContext http) => (long)http.Items[SupplierKey]!;
}
