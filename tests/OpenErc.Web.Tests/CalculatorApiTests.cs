using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The public calculators over real HTTP: the worked examples of charges.md §2–3, penalties.md §6 and payments.md §6.1 come
/// back exactly, with their traces; the penalty conventions are options; bad input is a 400 in Russian, a body, a list or a
/// table over its bound is refused at once; the OpenAPI document carries both operations with examples.
/// </summary>
public sealed class CalculatorApiTests(WebHost host) : IClassFixture<WebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Account(int residents = 3) => new
    {
        accountId = 1, share = 1, openedOn = "2020-01-01",
        residents = new[] { new { validFrom = "2020-01-01", value = residents } },
        owners = new[] { new { validFrom = "2020-01-01", value = 1 } },
        absences = Array.Empty<object>(),
    };

    private static object Flat(string[]? impossible = null, object[]? meters = null, decimal area = 54.3m) => new
    {
        premiseId = 1, number = "17", kind = "Residential", totalArea = area, rooms = 2,
        meterTechnicallyImpossible = impossible ?? [], accounts = new[] { Account() }, meters = meters ?? [],
    };

    private static object ColdWaterService(bool withTariff = true) => new
    {
        code = "cold_water", kind = "Communal", resource = "ColdWater", unit = "м³",
        methods = new[] { new { validFrom = "2020-01-01", value = "IndividualMeter" } },
        suppliers = new[] { new { validFrom = "2020-01-01", value = 7 } },
        tariffs = withTariff ? new object[] { new { supplierId = 7, zone = "Single", validFrom = "2024-07-01", rate = 52.37m } } : [],
        norms = new[] { new { category = "mkd_bath", validFrom = "2020-01-01", value = 4.745m } },
    };

    private static object Building(object flat, object? service = null, string kind = "ApartmentBuilding") => new
    {
        buildingId = 1, kind, heatingPaymentMethod = "DuringHeatingSeason", totalPremisesArea = 6150m,
        commonPropertyArea = new Dictionary<string, decimal> { ["ColdWater"] = 820m },
        premises = new[] { flat }, services = new[] { service ?? ColdWaterService() },
        commonHouseMeters = Array.Empty<object>(), incidents = Array.Empty<object>(),
    };

    private async Task<JsonElement> PostOkAsync(string path, object body)
    {
        var response = await Http.PostAsJsonAsync(path, body, WebHost.Json, Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToString());
        return json;
    }

    private async Task<JsonElement> PostBadAsync(string path, HttpContent body)
    {
        var response = await Http.PostAsync(path, body, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("title").GetString().ShouldBe("Расчёт не выполнен: исправьте ошибки в данных");
        return problem.GetProperty("errors");
    }

    private Task<JsonElement> PostBadAsync(string path, object body) => PostBadAsync(path, JsonContent.Create(body, options: WebHost.Json));

    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    private static string[] Messages(JsonElement errors, string field) =>
        errors.GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static JsonElement Input(JsonElement line, string startsWith) =>
        line.GetProperty("trace").GetProperty("inputs").EnumerateArray().First(i => i.GetProperty("name").GetString()!.StartsWith(startsWith, StringComparison.Ordinal));

    // ---------------------------------------------------------------- charges

    [Fact]
    public async Task Charges_norm_times_residents_is_745_49_with_its_trace()
    {
        var result = await PostOkAsync("/api/v1/calculator/charges", new { period = "2025-03", building = Building(Flat(impossible: ["ColdWater"])) });

        result.GetProperty("period").GetString().ShouldBe("2025-03");
        result.GetProperty("total").GetDecimal().ShouldBe(745.49m);
        var line = result.GetProperty("lines").EnumerateArray().ShouldHaveSingleItem();
        line.GetProperty("serviceCode").GetString().ShouldBe("cold_water");
        line.GetProperty("accountId").GetInt64().ShouldBe(1);
        line.GetProperty("period").GetString().ShouldBe("2025-03");
        line.GetProperty("volume").GetDecimal().ShouldBe(14.235m);
        line.GetProperty("unrounded").GetDecimal().ShouldBe(745.48695m);
        line.GetProperty("amount").GetDecimal().ShouldBe(745.49m);
        line.GetProperty("coefficient").GetDecimal().ShouldBe(1m);
        line.GetProperty("source").GetString().ShouldBe("Norm");
        line.GetProperty("kind").GetString().ShouldBe("Charge");
        var trace = line.GetProperty("trace");
        trace.GetProperty("formula").GetString().ShouldBe("P = n × N × T");
        trace.GetProperty("legalReference").GetString()!.ShouldStartWith("ПП 354, п. 42; прил. 2, ф. 4");
        Input(line, "Норматив N").GetProperty("value").GetDecimal().ShouldBe(4.745m);
        Input(line, "Тариф").GetProperty("value").GetDecimal().ShouldBe(52.37m);
    }

    [Fact]
    public async Task Charges_by_meter_is_405_97_and_settings_overrides_apply()
    {
        var meter = new
        {
            meterId = 1, kind = "Individual", resource = "ColdWater", zones = 1, digits = 5, installedOn = "2020-01-01", nextVerificationOn = "2028-01-01",
            readings = new[] { new { zone = 1, readOn = "2025-02-25", value = 123.456m }, new { zone = 1, readOn = "2025-03-25", value = 131.208m } },
        };
        var result = await PostOkAsync("/api/v1/calculator/charges", new { period = "2025-03", building = Building(Flat(meters: [meter])) });
        var line = result.GetProperty("lines").EnumerateArray().ShouldHaveSingleItem();
        line.GetProperty("volume").GetDecimal().ShouldBe(7.752m);
        line.GetProperty("unrounded").GetDecimal().ShouldBe(405.97224m);
        line.GetProperty("amount").GetDecimal().ShouldBe(405.97m);
        line.GetProperty("source").GetString().ShouldBe("Meter");
        line.GetProperty("trace").GetProperty("formula").GetString().ShouldBe("P = V × T");
        line.GetProperty("trace").GetProperty("legalReference").GetString().ShouldBe("ПП 354, прил. 2, ф. 1");
        Input(line, "Предыдущее показание").GetProperty("value").GetDecimal().ShouldBe(123.456m);
        Input(line, "Текущее показание").GetProperty("value").GetDecimal().ShouldBe(131.208m);

        // Without a meter and without an impossibility act the coefficient 1.5 applies in March 2025 (ПП 603)…
        var withK = await PostOkAsync("/api/v1/calculator/charges", new { period = "2025-03", building = Building(Flat()) });
        withK.GetProperty("total").GetDecimal().ShouldBe(1118.23m);
        // …unless the settings say there are no coefficients; the other settings keep their defaults.
        var noK = await PostOkAsync("/api/v1/calculator/charges", new { period = "2025-03", building = Building(Flat()), settings = new { increasingCoefficients = Array.Empty<object>() } });
        noK.GetProperty("total").GetDecimal().ShouldBe(745.49m);
    }

    [Fact]
    public async Task Charges_bad_input_is_400_in_russian()
    {
        var noMonth = await PostBadAsync("/api/v1/calculator/charges", new { building = Building(Flat()) });
        Messages(noMonth, "period").ShouldBe(["Укажите расчётный месяц в виде ГГГГ-ММ"]);

        var badMonth = await PostBadAsync("/api/v1/calculator/charges", new { period = "март", building = Building(Flat()) });
        Messages(badMonth, "period").ShouldBe(["Месяц указывается в виде ГГГГ-ММ, например 2025-03"]);

        var negative = await PostBadAsync("/api/v1/calculator/charges", new { period = "2025-03", building = Building(Flat(area: -54.3m)) });
        Messages(negative, "building.premises[0].totalArea").ShouldBe(["Площадь помещения не может быть отрицательной"]);

        var noTariff = await PostBadAsync("/api/v1/calculator/charges", new { period = "2025-03", building = Building(Flat(), ColdWaterService(withTariff: false)) });
        Messages(noTariff, "building").ShouldHaveSingleItem().ShouldStartWith("Услуга cold_water: нет тарифа поставщика 7");

        var unknownEnum = await PostBadAsync("/api/v1/calculator/charges", new { period = "2025-03", building = Building(Flat(), kind: "Дворец") });
        Messages(unknownEnum, "building.kind").ShouldBe(["Неверный формат значения"]);

        var enumNumber = await PostBadAsync("/api/v1/calculator/charges", Raw("""{"period": "2025-03", "building": {"kind": 7}}"""));
        Messages(enumNumber, "building.kind").ShouldBe(["Неверный формат значения"]);

        var missing = await PostBadAsync("/api/v1/calculator/charges", Raw("""{"period": "2025-03", "building": {"kind": "ApartmentBuilding", "heatingPaymentMethod": "DuringHeatingSeason", "totalPremisesArea": 100}}"""));
        Messages(missing, "building.premises").ShouldBe(["Не заполнено обязательное поле"]);
        Messages(missing, "building.services").ShouldBe(["Не заполнено обязательное поле"]);

        var typo = await PostBadAsync("/api/v1/calculator/charges", Raw("""{"period": "2025-03", "bulding": {}}"""));
        typo.EnumerateObject().ShouldHaveSingleItem().Value[0].GetString().ShouldBe("Неизвестное поле «bulding»");

        var malformed = await PostBadAsync("/api/v1/calculator/charges", Raw("""{"period": "2025-03", "building": {"""));
        malformed.EnumerateObject().ShouldHaveSingleItem().Value[0].GetString().ShouldBe("Неверный формат JSON");

        var empty = await PostBadAsync("/api/v1/calculator/charges", Raw("null"));
        Messages(empty, "").ShouldBe(["Пустой запрос: передайте данные для расчёта в формате JSON"]);
    }

    private const string Ok = """
        {"buildingId": 1, "kind": "ApartmentBuilding", "heatingPaymentMethod": "DuringHeatingSeason", "totalPremisesArea": 6150,
         "commonPropertyArea": {"ColdWater": 820}, "commonHouseMeters": [], "incidents": [],
         "services": [{"code": "cold_water", "kind": "Communal", "resource": "ColdWater", "unit": "м³",
           "methods": [{"validFrom": "2020-01-01", "value": "IndividualMeter"}], "suppliers": [{"validFrom": "2020-01-01", "value": 7}],
           "tariffs": [{"supplierId": 7, "zone": "Single", "validFrom": "2020-01-01", "rate": RATE}], "norms": [{"category": "", "validFrom": "2020-01-01", "value": 4.745}]}],
         "premises": [PREMISE]}
        """;

    private const string Premise = """
        {"premiseId": 1, "number": "1", "kind": "Residential", "totalArea": 50, "rooms": 2, "meterTechnicallyImpossible": IMPOSSIBLE, "meters": METERS,
         "accounts": [{"accountId": 1, "share": SHARE, "openedOn": "2020-01-01", "residents": [{"validFrom": "2020-01-01", "value": 3}], "owners": [], "absences": []}]}
        """;

    [Theory]
    [InlineData("""{"period": "1999-01", "building": {}}""", "period")]
    [InlineData("""[]""", "")]
    [InlineData("""{"period": "2025-03", "building": {"premises": [null]}}""", "building.premises[0]")]
    [InlineData("""{"period": "2025-03", "building": {"commonPropertyArea": {"Water": 5}}}""", "building.commonPropertyArea.Water")]
    [InlineData("share:0", "building.premises[0].accounts[0].share")]
    [InlineData("impossible:[\"Вода\"]", "building.premises[0].meterTechnicallyImpossible")]
    [InlineData("impossible:null", "building.premises[0].meterTechnicallyImpossible")]
    [InlineData("rate:79228162514264337593543950335", "building")]
    [InlineData("meters:[{\"meterId\": 1, \"kind\": \"Individual\", \"resource\": \"ColdWater\", \"zones\": 1, \"digits\": 5, \"installedOn\": \"2020-01-01\", \"readings\": [{\"zone\": 4, \"readOn\": \"2025-03-20\", \"value\": 1}]}]", "building.premises[0].meters[0].readings[0].zone")]
    public async Task Charges_odd_input_is_400_never_500(string body, string field)
    {
        if (!body.StartsWith('{') && !body.StartsWith('['))
        {
            var (name, value) = (body[..body.IndexOf(':')], body[(body.IndexOf(':') + 1)..]);
            string V(string key, string fallback) => key == name ? value : fallback;
            var premise = Premise.Replace("IMPOSSIBLE", V("impossible", "[]")).Replace("METERS", V("meters", "[]")).Replace("SHARE", V("share", "1"));
            body = "{\"period\": \"2025-03\", \"building\": " + Ok.Replace("RATE", V("rate", "52.37")).Replace("PREMISE", premise) + "}";
        }
        var errors = await PostBadAsync("/api/v1/calculator/charges", Raw(body));
        errors.TryGetProperty(field, out var messages).ShouldBeTrue(errors.ToString());
        messages[0].GetString()!.ShouldMatch("[А-Яа-я]");
    }

    // ---------------------------------------------------------------- penalties

    [Fact]
    public async Task Penalties_example_6_1_is_230_19_with_the_three_rows()
    {
        var result = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-09-01",
            debts = new[] { new { amount = 5000m, month = "2025-03" } },
            payments = new[] { new { date = "2025-08-15", amount = 5000m } },
        });

        result.GetProperty("total").GetDecimal().ShouldBe(230.19m);
        result.GetProperty("keyRateSource").GetString().ShouldBe("Ключевая ставка Банка России (встроенная таблица с 01.01.2016)");
        var debt = result.GetProperty("debts").EnumerateArray().ShouldHaveSingleItem();
        debt.GetProperty("dueDate").GetString().ShouldBe("2025-04-10");
        debt.GetProperty("label").GetString().ShouldBe("Долг за март 2025 г. (срок оплаты — 10.04.2025)");
        debt.GetProperty("schedule").GetString().ShouldBe("Housing");
        debt.GetProperty("paid").GetDecimal().ShouldBe(5000m);
        debt.GetProperty("unpaid").GetDecimal().ShouldBe(0m);
        debt.GetProperty("penalty").GetDecimal().ShouldBe(230.19m);
        var portion = debt.GetProperty("portions").EnumerateArray().ShouldHaveSingleItem();
        portion.GetProperty("title").GetString().ShouldBe("Часть долга 5\u00A0000,00 ₽, оплаченная 15.08.2025; ключевая ставка на день оплаты — 18 %");
        portion.GetProperty("keyRatePercent").GetDecimal().ShouldBe(18m);
        var rows = portion.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => (r.GetProperty("from").GetString(), r.GetProperty("to").GetString(), r.GetProperty("days").GetInt32(),
                r.GetProperty("firstDayOfDelay").GetInt32(), r.GetProperty("lastDayOfDelay").GetInt32(), r.GetProperty("fraction").GetString(), r.GetProperty("amount").GetDecimal()))
            .ShouldBe([
                ("2025-04-11", "2025-05-10", 30, 1, 30, "0", 0m),
                ("2025-05-11", "2025-07-09", 60, 31, 90, "1/300", 95.00m),
                ("2025-07-10", "2025-08-15", 37, 91, 127, "1/130", 135.19m),
            ]);
        rows[0].GetProperty("note").GetString().ShouldBe("Первые 30 дней просрочки: пени не начисляются (ЖК РФ ст. 155 ч. 14)");
        rows[1].GetProperty("ratePercent").GetDecimal().ShouldBe(9.5m);
        rows[1].GetProperty("note").GetString().ShouldBe("1/300 ставки с 31-го по 90-й день просрочки (ЖК РФ ст. 155 ч. 14); ставка 9,5 % вместо ключевой 18 % (ограничение ставки ПП № 474)");
        rows[1].GetProperty("formula").GetString().ShouldBe("5\u00A0000,00 ₽ × 9,5 % × 1/300 × 60 дн. = 95,00 ₽");
        rows[2].GetProperty("note").GetString()!.ShouldStartWith("1/130 ставки с 91-го дня просрочки (ЖК РФ ст. 155 ч. 14)");
        rows[2].GetProperty("exact").GetDecimal().ShouldBe(5000m * 9.5m / 100m / 130m * 37m, tolerance: 0.0000001m);
    }

    [Fact]
    public async Task Penalties_example_6_2_partial_payments_is_164_09()
    {
        var result = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-09-01",
            debts = new[] { new { amount = 5000m, month = "2025-03" } },
            payments = new[] { new { date = "2025-06-20", amount = 2000m }, new { date = "2025-08-15", amount = 3000m } },
        });
        result.GetProperty("total").GetDecimal().ShouldBe(164.09m);
        var portions = result.GetProperty("debts")[0].GetProperty("portions").EnumerateArray().ToList();
        portions.Select(p => (p.GetProperty("debt").GetDecimal(), p.GetProperty("end").GetString(), p.GetProperty("penalty").GetDecimal()))
            .ShouldBe([(2000m, "2025-06-20", 25.97m), (3000m, "2025-08-15", 138.12m)]);
    }

    [Fact]
    public async Task Penalties_example_6_4_skip_the_2020_moratorium_with_the_built_in_key_rate()
    {
        var result = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2021-02-01",
            debts = new[] { new { amount = 1000m, month = "2020-02" } },
            payments = new[] { new { date = "2021-01-20", amount = 1000m } },
        });
        result.GetProperty("total").GetDecimal().ShouldBe(6.54m);
        var portion = result.GetProperty("debts")[0].GetProperty("portions")[0];
        portion.GetProperty("keyRatePercent").GetDecimal().ShouldBe(4.25m);
        portion.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("from").GetString(), r.GetProperty("days").GetInt32(), r.GetProperty("fraction").GetString(), r.GetProperty("note").GetString()))
            .ShouldBe([
                ("2020-03-11", 26, "0", "Первые 30 дней просрочки: пени не начисляются (ЖК РФ ст. 155 ч. 14)"),
                ("2020-04-06", 270, "0", "Мораторий ПП № 424: пени не начисляются"),
                ("2021-01-01", 20, "1/130", "1/130 ставки с 91-го дня просрочки (ЖК РФ ст. 155 ч. 14)"),
            ]);
        portion.GetProperty("rows")[1].GetProperty("formula").GetString().ShouldBe("270 дн. без начисления = 0,00 ₽");

        var tooEarly = await PostBadAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2015-06-01", debts = new[] { new { amount = 100m, dueDate = "2015-01-10" } },
        });
        Messages(tooEarly, "keyRates").ShouldBe(["Нет ключевой ставки на 01.06.2015: встроенная таблица начинается с 01.01.2016, передайте свою таблицу в keyRates"]);
    }

    [Fact]
    public async Task Penalties_pay_the_oldest_debt_first_unless_designated_and_use_a_given_key_rate_table()
    {
        // Two debts, 1 000 ₽ each, no designation: the March debt is paid on 15.06.2025, the April one stays unpaid.
        var oldestFirst = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-07-31",
            debts = new object[] { new { amount = 1000m, dueDate = "2025-05-10", label = "Апрель" }, new { amount = 1000m, month = "2025-03", schedule = "CapitalRepair" } },
            payments = new[] { new { date = "2025-06-15", amount = 1000m } },
        });
        var debts = oldestFirst.GetProperty("debts").EnumerateArray().ToList();
        debts[0].GetProperty("label").GetString().ShouldBe("Апрель");
        debts[0].GetProperty("unpaid").GetDecimal().ShouldBe(1000m);
        debts[1].GetProperty("paid").GetDecimal().ShouldBe(1000m);
        // Capital repair from day 1 at 1/300: 11.04–15.06.2025 = 66 days × 1000 × 9.5 % / 300 = 20.90.
        debts[1].GetProperty("penalty").GetDecimal().ShouldBe(20.90m);
        debts[1].GetProperty("portions")[0].GetProperty("rows")[0].GetProperty("note").GetString()!
            .ShouldStartWith("1/300 ставки с первого дня просрочки: взносы на капитальный ремонт (ЖК РФ ст. 155 ч. 14.1)");

        var designated = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-07-31",
            debts = new object[] { new { amount = 1000m, dueDate = "2025-05-10" }, new { amount = 1000m, month = "2025-03" } },
            payments = new[] { new { date = "2025-06-15", amount = 1000m, debtIndex = 0 } },
            keyRates = new[] { new { from = "2025-01-01", percent = 8m } },
        });
        designated.GetProperty("keyRateSource").GetString().ShouldBe("Таблица ключевой ставки из запроса");
        designated.GetProperty("debts")[0].GetProperty("paid").GetDecimal().ShouldBe(1000m);
        designated.GetProperty("debts")[1].GetProperty("unpaid").GetDecimal().ShouldBe(1000m);
        // March debt unpaid on 31.07.2025: days 31…112 of delay; 8 % is below the 9.5 % cap.
        // 1000 × 0.08 × (60/300 + 22/130) = 16 + 13.5385 = 29.54
        designated.GetProperty("debts")[1].GetProperty("penalty").GetDecimal().ShouldBe(29.54m);
    }

    [Fact]
    public async Task Penalties_bad_input_is_400_in_russian()
    {
        var errors = await PostBadAsync("/api/v1/calculator/penalties", new
        {
            debts = new object[] { new { amount = -5m, month = "2025-03" }, new { amount = 100.005m }, new { amount = 10m, month = "2025-03", dueDate = "2025-04-10" } },
            payments = new object[] { new { date = "2025-08-15", amount = 0m, debtIndex = 5 }, new { amount = 10m } },
        });
        Messages(errors, "calculatedOn").ShouldBe(["Укажите дату расчёта"]);
        Messages(errors, "payments[1].date").ShouldBe(["Укажите дату"]);

        var details = await PostBadAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-09-01",
            debts = new object[] { new { amount = -5m, month = "2025-03" }, new { amount = 100.005m }, new { amount = 10m, month = "2025-03", dueDate = "2025-04-10" } },
            payments = new object[] { new { date = "2025-09-15", amount = 0m, debtIndex = 5 } },
        });
        Messages(details, "debts[0].amount").ShouldBe(["Сумма долга должна быть больше нуля"]);
        Messages(details, "debts[1].amount").ShouldBe(["Сумма долга указывается в рублях с точностью до копейки"]);
        Messages(details, "debts[1].dueDate").ShouldBe(["Укажите срок оплаты (dueDate) или месяц, за который начислен долг (month)"]);
        Messages(details, "debts[2].dueDate").ShouldBe(["Укажите что-то одно: срок оплаты (dueDate) или месяц начисления (month)"]);
        Messages(details, "payments[0].amount").ShouldBe(["Сумма платежа должна быть больше нуля"]);
        Messages(details, "payments[0].date").ShouldBe(["Платёж позже даты расчёта: проверьте дату платежа или дату расчёта"]);
        Messages(details, "payments[0].debtIndex").ShouldBe(["Нет долга с номером 5: номера долгов — от 0 до 2"]);

        var noDebts = await PostBadAsync("/api/v1/calculator/penalties", new { calculatedOn = "2025-09-01", debts = Array.Empty<object>() });
        Messages(noDebts, "debts").ShouldBe(["Укажите хотя бы один долг"]);

        var shortTable = await PostBadAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-09-01", debts = new[] { new { amount = 100m, month = "2025-03" } }, keyRates = new[] { new { from = "2025-10-01", percent = 16m } },
        });
        Messages(shortTable, "keyRates").ShouldBe(["Нет ключевой ставки на 01.09.2025"]);

        var badSchedule = await PostBadAsync("/api/v1/calculator/penalties", Raw("""{"calculatedOn": "2025-09-01", "debts": [{"amount": 100, "month": "2025-03", "schedule": "Ипотека"}]}"""));
        Messages(badSchedule, "debts[0].schedule").ShouldBe(["Неверный формат значения"]);

        var badDate = await PostBadAsync("/api/v1/calculator/penalties", Raw("""{"calculatedOn": "01.09.2025", "debts": []}"""));
        Messages(badDate, "calculatedOn").ShouldBe(["Неверный формат значения"]);
    }

    [Fact]
    public async Task Penalties_split_payments_with_the_allocator_posting_uses_ties_to_the_larger_debt()
    {
        // payments.md §6.1: 2 999.99 ₽ over five debts of one due date → 900.00, 360.00, 270.00, 1 199.99, 270.00.
        decimal[] amounts = [1500.00m, 600.00m, 450.00m, 2000.00m, 450.00m];
        var split = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2026-05-01",
            debts = amounts.Select(a => new { amount = a, dueDate = "2026-04-15" }).ToArray(),
            payments = new[] { new { date = "2026-04-20", amount = 2999.99m } },
        });
        var paid = split.GetProperty("debts").EnumerateArray().Select(d => d.GetProperty("paid").GetDecimal()).ToList();
        paid.ShouldBe([900.00m, 360.00m, 270.00m, 1199.99m, 270.00m]);
        // The same lines through the allocator itself, as an account's posting would split them.
        var lines = amounts.Select((a, i) => new DebtPosition($"{i}", i, new BillingPeriod(2026, 3), new DateOnly(2026, 4, 15), a)).ToList();
        PaymentAllocator.Allocate(2999.99m, new DateOnly(2026, 4, 20), lines).OrderBy(a => a.SupplierId).Select(a => a.Amount).ShouldBe(paid);

        // A kopeck tie: 0.02 ₽ over debts of 1 ₽ and 3 ₽ — exact shares 0.005 and 0.015, equal remainders; the kopeck left goes
        // to the larger debt (LargestRemainder's rule), not to the earlier one: 0.00 and 0.02.
        var tie = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2026-05-01",
            debts = new[] { new { amount = 1m, dueDate = "2026-04-15" }, new { amount = 3m, dueDate = "2026-04-15" } },
            payments = new[] { new { date = "2026-04-20", amount = 0.02m } },
        });
        tie.GetProperty("debts").EnumerateArray().Select(d => d.GetProperty("paid").GetDecimal()).ShouldBe([0m, 0.02m]);
        tie.GetProperty("advance").GetDecimal().ShouldBe(0m);

        // An undesignated payment does not pay a debt due more than three years before it (ГК 196): it stays an advance,
        // unless the payment names the debt.
        object Old(int? debtIndex) => new
        {
            calculatedOn = "2023-06-01",
            debts = new[] { new { amount = 500m, dueDate = "2020-01-10" } },
            payments = new[] { new { date = "2023-05-01", amount = 500m, debtIndex } },
        };
        var undesignated = await PostOkAsync("/api/v1/calculator/penalties", Old(null));
        undesignated.GetProperty("advance").GetDecimal().ShouldBe(500m);
        undesignated.GetProperty("debts")[0].GetProperty("unpaid").GetDecimal().ShouldBe(500m);
        var designated = await PostOkAsync("/api/v1/calculator/penalties", Old(0));
        designated.GetProperty("advance").GetDecimal().ShouldBe(0m);
        designated.GetProperty("debts")[0].GetProperty("paid").GetDecimal().ShouldBe(500m);
    }

    [Fact]
    public async Task Penalties_options_leave_out_the_calculation_day_and_move_the_moratorium_bounds()
    {
        // 5 000 ₽ for March 2025 unpaid on 15.08.2025 (capped 9.5 %): 95.00 + 37 days × 1/130 (135.1923) = 230.19 ₽ with the day;
        // without it 36 days: 5000 × 9.5 × 36 / 13 000 = 131.5385, 95.00 + 131.5385 = 226.54 ₽.
        object Unpaid(object? options) => new { calculatedOn = "2025-08-15", debts = new[] { new { amount = 5000m, month = "2025-03" } }, options };
        var byDefault = await PostOkAsync("/api/v1/calculator/penalties", Unpaid(null));
        byDefault.GetProperty("total").GetDecimal().ShouldBe(230.19m);
        byDefault.GetProperty("options").GetProperty("includeCalculationDay").GetBoolean().ShouldBeTrue();
        byDefault.GetProperty("options").GetProperty("moratoria").EnumerateArray().Select(m => (m.GetProperty("from").GetString(), m.GetProperty("to").GetString()))
            .ShouldBe([("2020-04-06", "2020-12-31"), ("2022-04-01", "2022-10-01")]);
        var withoutTheDay = await PostOkAsync("/api/v1/calculator/penalties", Unpaid(new { includeCalculationDay = false }));
        withoutTheDay.GetProperty("total").GetDecimal().ShouldBe(226.54m);
        withoutTheDay.GetProperty("debts")[0].GetProperty("portions")[0].GetProperty("rows")[2].GetProperty("to").GetString().ShouldBe("2025-08-14");

        // Example 6.4 with the 2020 window through 01.01.2021: 19 days × 1/130 = 1000 × 4.25 × 19 / 13 000 = 6.2115 → 6.21 ₽.
        var throughNewYear = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2021-02-01",
            debts = new[] { new { amount = 1000m, month = "2020-02" } },
            payments = new[] { new { date = "2021-01-20", amount = 1000m } },
            options = new { moratoria = new[] { new { from = "2020-04-06", to = "2021-01-01", name = "Мораторий ПП № 424" } } },
        });
        throughNewYear.GetProperty("total").GetDecimal().ShouldBe(6.21m);
        var rows = throughNewYear.GetProperty("debts")[0].GetProperty("portions")[0].GetProperty("rows");
        (rows[1].GetProperty("to").GetString(), rows[1].GetProperty("noteCode").GetString(), rows[1].GetProperty("note").GetString())
            .ShouldBe(("2021-01-01", "Moratorium", "Мораторий ПП № 424: пени не начисляются"));
        (rows[2].GetProperty("days").GetInt32(), rows[2].GetProperty("noteCode").GetString()).ShouldBe((19, "OneHundredThirtieth"));
        // No moratorium at all: 60 days × 1/300 = 8.50 and 226 days × 1/130 = 73.8846 → 82.38 ₽.
        var none = await PostOkAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2021-02-01",
            debts = new[] { new { amount = 1000m, month = "2020-02" } },
            payments = new[] { new { date = "2021-01-20", amount = 1000m } },
            options = new { moratoria = Array.Empty<object>() },
        });
        none.GetProperty("total").GetDecimal().ShouldBe(82.38m);

        var bad = await PostBadAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2021-02-01",
            debts = new[] { new { amount = 1000m, month = "2020-02" } },
            options = new { moratoria = new object[] { new { from = "2020-04-06", to = "2020-04-05" }, new { from = "1999-12-31", to = "2020-01-01", name = " " } } },
        });
        Messages(bad, "options.moratoria[0].to").ShouldBe(["Последний день моратория не может быть раньше первого"]);
        Messages(bad, "options.moratoria[1].from").ShouldBe(["Первый день моратория должен быть в пределах 2000–2100 годов"]);
        Messages(bad, "options.moratoria[1].name").ShouldBe(["Название моратория не может быть пустым"]);
        var typo = await PostBadAsync("/api/v1/calculator/penalties", Raw("""{"calculatedOn": "2021-02-01", "debts": [{"amount": 1, "month": "2020-02"}], "options": {"includeCalculationDate": false}}"""));
        Messages(typo, "options.includeCalculationDate").ShouldBe(["Неизвестное поле «includeCalculationDate»"]);
    }

    [Fact]
    public async Task Penalties_a_100_000_rate_table_is_refused_at_once_and_the_host_keeps_answering()
    {
        var rates = Enumerable.Range(0, 100_000).Select(i => new { from = new DateOnly(2000, 1, 1).AddDays(i % 30_000).ToString("yyyy-MM-dd"), percent = 5m }).ToArray();
        var body = new { calculatedOn = "2025-09-01", debts = new[] { new { amount = 5000m, month = "2025-03" } }, keyRates = rates };
        // With its length declared (refused before reading) and streamed without one (reading stops at 256 KB): refused by
        // the body limit, so nothing is computed (the answer says which limit; no timing is asserted — speed is the benchmarks').
        var declared = await Http.PostAsync("/api/v1/calculator/penalties", Raw(JsonSerializer.Serialize(body, WebHost.Json)), Ct);
        await ShouldBeTooLargeAsync(declared, "256 КБ");
        var streamed = await Http.PostAsJsonAsync("/api/v1/calculator/penalties", body, WebHost.Json, Ct);
        await ShouldBeTooLargeAsync(streamed, "256 КБ");

        var next = await PostOkAsync("/api/v1/calculator/penalties", Examples61);
        next.GetProperty("total").GetDecimal().ShouldBe(230.19m);
    }

    [Fact]
    public async Task Calculator_bodies_over_256_KB_are_a_413_in_russian()
    {
        var padding = new string(' ', 300 * 1024);
        var penalties = await Http.PostAsync("/api/v1/calculator/penalties", Raw($$"""{"calculatedOn": "2025-09-01",{{padding}}"debts": []}"""), Ct);
        await ShouldBeTooLargeAsync(penalties, "256 КБ");
        var charges = await Http.PostAsync("/api/v1/calculator/charges", Raw($$"""{"period": "2025-03",{{padding}}"building": null}"""), Ct);
        await ShouldBeTooLargeAsync(charges, "256 КБ");
        // Just under the bound is read and answered on its merits.
        var under = await Http.PostAsync("/api/v1/calculator/penalties", Raw($$"""{"calculatedOn": "2025-09-01",{{new string(' ', 250 * 1024)}}"debts": []}"""), Ct);
        under.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Penalties_counts_and_texts_over_the_limits_are_refused_in_russian()
    {
        var debt = new { amount = 1m, month = "2025-03", label = (string?)null };
        var payment = new { date = "2025-06-01", amount = 1m };
        var errors = await PostBadAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-09-01",
            debts = Enumerable.Repeat(debt, 601).ToArray(),
            payments = Enumerable.Repeat(payment, 2001).ToArray(),
            keyRates = Enumerable.Range(0, 501).Select(i => new { from = new DateOnly(2016, 1, 1).AddDays(i).ToString("yyyy-MM-dd"), percent = 5m }).ToArray(),
            options = new { moratoria = Enumerable.Repeat(new { from = "2020-04-06", to = "2020-12-31" }, 11).ToArray() },
        });
        Messages(errors, "debts").ShouldBe(["В одном расчёте не больше 600 долгов"]);
        Messages(errors, "payments").ShouldBe(["В одном расчёте не больше 2000 платежей"]);
        Messages(errors, "keyRates").ShouldBe(["В одном расчёте не больше 500 ключевых ставок"]);
        Messages(errors, "options.moratoria").ShouldBe(["В одном расчёте не больше 10 периодов моратория"]);

        var details = await PostBadAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-09-01",
            debts = new[] { debt with { label = new string('я', 201) } },
        });
        Messages(details, "debts[0].label").ShouldBe(["Не длиннее 200 символов"]);

        var twice = await PostBadAsync("/api/v1/calculator/penalties", new
        {
            calculatedOn = "2025-09-01",
            debts = new[] { debt },
            keyRates = new[] { new { from = "2025-01-01", percent = 20m }, new { from = "2024-01-01", percent = 16m }, new { from = "2025-01-01", percent = 21m } },
        });
        Messages(twice, "keyRates[2].from").ShouldBe(["На эту дату ставка уже указана"]);
        twice.TryGetProperty("keyRates[0].from", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Charges_of_more_than_20000_lines_are_refused_before_calculating()
    {
        // 201 flats × 100 services = 20 100 lines (an answer of some 11 MB) from a body of about 150 KB.
        var flats = Enumerable.Range(0, 201).Select(_ => Flat()).ToArray();
        var services = Enumerable.Range(0, 100).Select(_ => ColdWaterService()).ToArray();
        var building = new
        {
            buildingId = 1, kind = "ApartmentBuilding", heatingPaymentMethod = "DuringHeatingSeason", totalPremisesArea = 6150m,
            commonPropertyArea = new Dictionary<string, decimal> { ["ColdWater"] = 820m },
            premises = flats, services, commonHouseMeters = Array.Empty<object>(), incidents = Array.Empty<object>(),
        };
        var errors = await PostBadAsync("/api/v1/calculator/charges", new { period = "2025-03", building });
        Messages(errors, "building").ShouldBe(["В одном расчёте не больше 20000 строк начислений, а здесь лицевых счетов × услуг = 201 × 100 = 20100: разделите дом на несколько расчётов"]);
    }

    [Fact]
    public async Task Penalties_of_600_debts_and_2000_payments_are_answered_at_once_or_refused_for_too_many_parts()
    {
        // 600 monthly debts of 100 ₽ from January 2000 and 2 000 payments of 30 ₽ every 9 days: each pays one or two debts.
        var rates = new[] { new { from = "2000-01-01", percent = 7.5m } };
        var debts = Enumerable.Range(0, 600).Select(i => new { amount = 100m, month = new DateOnly(2000, 1, 1).AddMonths(i).ToString("yyyy-MM") }).ToArray();
        var payments = Enumerable.Range(0, 2000).Select(i => new { date = new DateOnly(2000, 3, 1).AddDays(9 * i).ToString("yyyy-MM-dd"), amount = 30m }).ToArray();
        var paced = await PostOkAsync("/api/v1/calculator/penalties", new { calculatedOn = "2050-06-01", debts, payments, keyRates = rates });
        paced.GetProperty("debts").GetArrayLength().ShouldBe(600);
        paced.GetProperty("total").GetDecimal().ShouldBeGreaterThan(0m);

        // The same payments over 600 debts of one due date split each payment 600 ways: refused, not computed.
        var sameDay = Enumerable.Range(0, 600).Select(_ => new { amount = 100m, month = "2000-01" }).ToArray();
        var errors = await PostBadAsync("/api/v1/calculator/penalties", new { calculatedOn = "2050-06-01", debts = sameDay, payments, keyRates = rates });
        // Refused by its count of parts before any is computed (its message names the limit); no timing is asserted.
        Messages(errors, "payments").ShouldBe(["Платежи делятся больше чем на 5000 частей долгов: разбейте расчёт на несколько или укажите debtIndex"]);
    }

    private static object Examples61 => new
    {
        calculatedOn = "2025-09-01",
        debts = new[] { new { amount = 5000m, month = "2025-03" } },
        payments = new[] { new { date = "2025-08-15", amount = 5000m } },
    };

    private static async Task ShouldBeTooLargeAsync(HttpResponseMessage response, string limit)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("title").GetString().ShouldBe("Слишком большой запрос");
        problem.GetProperty("detail").GetString()!.ShouldStartWith($"Тело запроса больше {limit}");
    }

    // ---------------------------------------------------------------- OpenAPI

    [Fact]
    public async Task OpenApi_document_describes_both_calculators_with_the_worked_examples()
    {
        var doc = await Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = doc.GetProperty("paths");
        var charges = paths.GetProperty("/api/v1/calculator/charges").GetProperty("post");
        var penalties = paths.GetProperty("/api/v1/calculator/penalties").GetProperty("post");
        charges.GetProperty("summary").GetString().ShouldBe("Калькулятор начислений: расчёт дома за месяц по данным запроса");
        penalties.GetProperty("summary").GetString().ShouldBe("Калькулятор пеней за просрочку оплаты ЖКУ и взносов на капремонт");

        var chargeExamples = charges.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        chargeExamples.GetProperty("norm").GetProperty("value").GetProperty("period").GetString().ShouldBe("2025-03");
        chargeExamples.GetProperty("meter").GetProperty("summary").GetString()!.ShouldContain("405,97");
        var chargeResponse = charges.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");
        chargeResponse.GetProperty("total").GetDecimal().ShouldBe(745.49m);
        chargeResponse.GetProperty("lines")[0].GetProperty("trace").GetProperty("legalReference").GetString()!.ShouldStartWith("ПП 354, п. 42; прил. 2, ф. 4");

        var penaltyExamples = penalties.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        penaltyExamples.GetProperty("full").GetProperty("value").GetProperty("debts")[0].GetProperty("month").GetString().ShouldBe("2025-03");
        penaltyExamples.GetProperty("partial").GetProperty("value").GetProperty("payments").GetArrayLength().ShouldBe(2);
        var penaltyResponse = penalties.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");
        penaltyResponse.GetProperty("total").GetDecimal().ShouldBe(230.19m);
        penaltyResponse.GetProperty("debts")[0].GetProperty("portions")[0].GetProperty("rows").GetArrayLength().ShouldBe(3);
        // The options example reproduces a calculator that ends the 2020 moratorium on 01.01.2021: 6.21 ₽.
        var optionsExample = penaltyExamples.GetProperty("options").GetProperty("value");
        optionsExample.GetProperty("options").GetProperty("moratoria")[0].GetProperty("to").GetString().ShouldBe("2021-01-01");
        (await PostOkAsync("/api/v1/calculator/penalties", optionsExample)).GetProperty("total").GetDecimal().ShouldBe(6.21m);
        var description = penalties.GetProperty("description").GetString()!;
        description.ShouldContain("includeCalculationDay");
        description.ShouldContain("не больше 256 КБ");
        description.ShouldContain("не больше 600 долгов, 2000 платежей, 500 ключевых ставок, 10 периодов моратория");
        penalties.GetProperty("responses").TryGetProperty("413", out _).ShouldBeTrue();
        charges.GetProperty("responses").TryGetProperty("413", out _).ShouldBeTrue();

        // The month is a "YYYY-MM" string and money a number in the schemas, as on the wire.
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("Money").GetProperty("type").ToString().ShouldBe("number");
        schemas.GetProperty("BillingPeriod").GetProperty("type").ToString().ShouldBe("string");
        schemas.GetProperty("BillingPeriod").GetProperty("pattern").GetString().ShouldBe("^20[0-9]{2}-(0[1-9]|1[0-2])$");
        schemas.GetProperty("PremiseSnapshot").GetProperty("properties").GetProperty("meterTechnicallyImpossible").GetProperty("$ref").GetString()
            .ShouldBe("#/components/schemas/IReadOnlySetOfResource");
        schemas.GetProperty("IReadOnlySetOfResource").GetProperty("type").GetString().ShouldBe("array");
        // Nullable constructor parameters (validTo, closedOn, …) may be left out of the request.
        var required = schemas.GetProperty("AccountSnapshot").GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToList();
        required.ShouldContain("openedOn");
        required.ShouldNotContain("closedOn");
    }
}
