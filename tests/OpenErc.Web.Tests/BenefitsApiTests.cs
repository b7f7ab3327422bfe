using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenErc.Core.Accounts;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Core.Residents;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// Social support over real HTTP: an account's rights and subsidies by its number, the reference data of categories and
/// delivery modes, УСЗН's registry of rights loaded whole or refused with every reason (422, or the BENERR file), the
/// charges per beneficiary BENCHG for a month; duties and Russian ProblemDetails for bad input.
/// </summary>
public sealed class BenefitsApiTests(WebHost host) : IClassFixture<WebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static int _serial = 700;

    private async Task<(string Number, long Payer, long Resident)> AccountAsync()
    {
        var (number, _, payer, resident) = await AccountAsync(host);
        return (number, payer, resident);
    }

    /// <summary>An account of its own with a payer (born 12.03.1950) and a registered resident (born 05.05.1948).</summary>
    internal static async Task<(string Number, long Id, long Payer, long Resident)> AccountAsync(WebHost host)
    {
        int serial = Interlocked.Increment(ref _serial);
        var town = await host.PostAsync<Municipality>("/api/v1/municipalities", new { name = "Льготный округ " + serial, oktmo = "65701000" });
        var building = await host.PostAsync<Building>("/api/v1/buildings", new
        {
            municipalityId = town.Id, region = "Новоградская область", settlement = "г. Новоград", street = "ул. Льготная", house = serial.ToString(),
            floors = 5, totalArea = 3000m, residentialArea = 2500m, kind = "ApartmentBuilding", heatingPaymentMethod = "EvenlyThroughYear",
            capitalRepairFundMethod = "RegionalOperator",
        });
        // Billed for maintenance and cold water: the groups a registry's right names (HOUSING, COMMUNAL) are billed here.
        foreach (var (code, name, kind, resource, unit, method) in new[]
                 {
                     ("maintenance", "Содержание жилого помещения", "Housing", "None", "м²", "Area"),
                     ("cold_water", "Холодное водоснабжение", "Communal", "ColdWater", "м³", "Norm"),
                 })
        {
            var service = await host.PostAsync<OpenErc.Core.Tariffs.Service>("/api/v1/services", new { code = $"{code}_b{serial}", name, kind, resource, unit });
            await host.PostAsync<OpenErc.Core.Tariffs.BuildingServiceMethod>("/api/v1/building-service-methods",
                new { buildingId = building.Id, serviceId = service.Id, method, validFrom = "2024-01-01" });
        }
        var premise = await host.PostAsync<Premise>("/api/v1/premises", new { buildingId = building.Id, number = "1", totalArea = 54.3m, rooms = 2 });
        var payer = await host.PostAsync<Person>("/api/v1/people", new { lastName = "Ветеранова", firstName = "Анна", middleName = "Сергеевна", birthDate = "1950-03-12" });
        var resident = await host.PostAsync<Person>("/api/v1/people", new { lastName = "Соседов", firstName = "Пётр", middleName = "Ильич", birthDate = "1948-05-05" });
        var account = await host.PostAsync<PersonalAccount>("/api/v1/accounts", new
        {
            number = AccountNumber.Create(serial), premiseId = premise.Id, payerPersonId = payer.Id, share = 1, openedOn = "2024-01-01",
        });
        await host.PostAsync<Registration>("/api/v1/registrations", new { accountId = account.Id, personId = resident.Id, validFrom = "2024-01-01" });
        return (account.Number, account.Id, payer.Id, resident.Id);
    }

    private static object Right(long personId, string from = "2026-11-01", string category = "VET_TRUDA") =>
        new { personId, categoryCode = category, coveredPersons = 1, validFrom = from, decisionNumber = "12/34", decisionDate = "2026-10-20", reason = "решение УСЗН 12/34" };

    [Fact]
    public async Task A_claim_for_an_accounts_debt_is_kept_with_its_court_act_and_refused_in_russian_without_one()
    {
        // The court status УСЗН's rule reads (ЖК ст. 159): an order needs the day it entered into force.
        var (_, account, _, _) = await AccountAsync(host);
        var manager = await host.ClientAsync(Roles.AccountManager);
        object Claim(string? inForce) => new
        {
            accountId = account, stage = "CourtOrder", caseNumber = "2-515/2026", court = "Мировой судья участка № 3",
            debtFrom = "2026-01-01", debtTo = "2026-06-01", amount = 12_345.67m, filedOn = "2026-07-01", inForceOn = inForce,
        };
        var refused = await WebHost.JsonAsync(await manager.PostAsJsonAsync("/api/v1/debt-claims", Claim(null), Ct), HttpStatusCode.BadRequest);
        refused.GetProperty("errors").GetProperty("inForceOn")[0].GetString().ShouldBe("Укажите дату вступления судебного акта в силу");
        var undated = await WebHost.JsonAsync(await manager.PostAsJsonAsync("/api/v1/debt-claims",
            new { accountId = account, stage = "Filed", caseNumber = "2-516/2026", debtFrom = "2026-01-01", debtTo = "2026-06-01", amount = 100m }, Ct), HttpStatusCode.BadRequest);
        undated.GetProperty("errors").GetProperty("filedOn")[0].GetString().ShouldBe("Месяцы долга и дата заявления — с 2000 по 2099 год");
        (await host.ScalarAsync<long>($"SELECT count(*) FROM debt_claims WHERE account_id = {account}")).ShouldBe(0);

        var created = await WebHost.JsonAsync(await manager.PostAsJsonAsync("/api/v1/debt-claims", Claim("2026-08-01"), Ct), HttpStatusCode.Created);
        created.GetProperty("caseNumber").GetString().ShouldBe("2-515/2026");
        (await host.ScalarAsync<decimal>($"SELECT amount FROM debt_claims WHERE account_id = {account}")).ShouldBe(12_345.67m);
        var cashier = await host.ClientAsync(Roles.Cashier);
        (await cashier.PostAsJsonAsync("/api/v1/debt-claims", Claim("2026-08-01"), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // The answer to УСЗН's debt request (§6.3): the order is in force, but nothing was charged, so nothing is owed.
        var number = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {account}");
        var answer = await WebHost.JsonAsync(await manager.GetAsync($"/api/v1/accounts/{number}/court-debt?on=2026-09-01", Ct), HttpStatusCode.OK);
        answer.GetProperty("amount").GetDecimal().ShouldBe(0m);
        answer.GetProperty("cases")[0].GetProperty("caseNumber").GetString().ShouldBe("2-515/2026");
        (await WebHost.JsonAsync(await manager.GetAsync($"/api/v1/accounts/{number}/court-debt?on=2026-07-31", Ct), HttpStatusCode.OK))
            .GetProperty("cases").GetArrayLength().ShouldBe(0);
        var badDay = await WebHost.JsonAsync(await manager.GetAsync($"/api/v1/accounts/{number}/court-debt?on=31.07.2026", Ct), HttpStatusCode.BadRequest);
        badDay.GetProperty("errors").GetProperty("on")[0].GetString().ShouldBe("Дата должна иметь вид ГГГГ-ММ-ДД: «31.07.2026»");
        (await manager.GetAsync("/api/v1/accounts/000000000/court-debt", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A notice of a coming limitation (п. 119): not delivered before it was sent.
        long service = (await host.PostAsync<OpenErc.Core.Tariffs.Service>("/api/v1/services",
            new { code = "hot_water_notice", name = "Горячее водоснабжение", kind = "Communal", resource = "HotWater", unit = "м³" })).Id;
        var early = await WebHost.JsonAsync(await manager.PostAsJsonAsync("/api/v1/limitation-notices",
            new { accountId = account, serviceId = service, sentOn = "2026-10-05", deliveredOn = "2026-10-01", document = "Заказное письмо № 7" }, Ct), HttpStatusCode.BadRequest);
        early.GetProperty("errors").GetProperty("deliveredOn")[0].GetString().ShouldBe("Уведомление не может быть вручено раньше, чем направлено");
        await WebHost.JsonAsync(await manager.PostAsJsonAsync("/api/v1/limitation-notices",
            new { accountId = account, serviceId = service, sentOn = "2026-10-01", deliveredOn = "2026-10-05", document = "Заказное письмо № 7" }, Ct), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_right_is_added_listed_and_closed_on_its_last_day()
    {
        var (number, payer, _) = await AccountAsync();
        var manager = await host.ClientAsync(Roles.AccountManager);

        var created = await WebHost.JsonAsync(await manager.PostAsJsonAsync($"/api/v1/accounts/{number}/benefit-rights", Right(payer), Ct), HttpStatusCode.Created);
        long id = created.GetProperty("id").GetInt64();

        var list = await WebHost.JsonAsync(await manager.GetAsync($"/api/v1/accounts/{number}/benefit-rights", Ct), HttpStatusCode.OK);
        var right = list.EnumerateArray().Single();
        right.GetProperty("person").GetString().ShouldBe("Ветеранова Анна Сергеевна");
        right.GetProperty("categoryTitle").GetString().ShouldBe("Ветераны труда, труженики тыла, реабилитированные");
        right.GetProperty("source").GetString().ShouldBe("вручную");
        (await host.ScalarAsync<string>($"SELECT reason FROM audit_entries WHERE entity_type = 'BenefitRight' AND entity_id = {id}")).ShouldBe("решение УСЗН 12/34");

        // A second ground of the same person over the same days.
        var second = await WebHost.JsonAsync(await manager.PostAsJsonAsync($"/api/v1/accounts/{number}/benefit-rights", Right(payer, "2026-12-01", "INV"), Ct),
            HttpStatusCode.BadRequest);
        second.GetProperty("errors").GetProperty("validFrom")[0].GetString()!.ShouldStartWith("У гражданина уже есть право, введённое вручную (VET_TRUDA, с 01.11.2026)");

        var closed = await WebHost.JsonAsync(await manager.PutAsJsonAsync($"/api/v1/accounts/{number}/benefit-rights/{id}/close",
            new { lastDay = "2026-11-30", reason = "решение УСЗН о прекращении" }, Ct), HttpStatusCode.OK);
        closed.GetProperty("validTo").GetString().ShouldBe("2026-12-01");
        // Now the second ground fits after it.
        await WebHost.JsonAsync(await manager.PostAsJsonAsync($"/api/v1/accounts/{number}/benefit-rights", Right(payer, "2026-12-01", "INV"), Ct), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Bad_rights_get_russian_problems_and_nothing_is_saved()
    {
        var (number, payer, resident) = await AccountAsync();
        var (_, stranger, _) = await AccountAsync();
        var manager = await host.ClientAsync(Roles.AccountManager);
        string Rights(string n) => $"/api/v1/accounts/{n}/benefit-rights";

        var unknown = await WebHost.JsonAsync(await manager.PostAsJsonAsync(Rights(number), Right(payer, category: "NO_SUCH"), Ct), HttpStatusCode.BadRequest);
        unknown.GetProperty("errors").GetProperty("categoryCode")[0].GetString().ShouldBe("Категории «NO_SUCH» на 01.11.2026 нет в справочнике категорий льготников");
        var elsewhere = await WebHost.JsonAsync(await manager.PostAsJsonAsync(Rights(number), Right(stranger), Ct), HttpStatusCode.BadRequest);
        elsewhere.GetProperty("errors").GetProperty("personId")[0].GetString()!.ShouldContain("не зарегистрирован, не собственник и не плательщик");
        var badDates = await WebHost.JsonAsync(await manager.PostAsJsonAsync(Rights(number),
            new { personId = resident, categoryCode = "VET_TRUDA", validFrom = "2026-11-01", lastDay = "2026-10-01" }, Ct), HttpStatusCode.BadRequest);
        badDates.GetProperty("errors").GetProperty("validTo")[0].GetString().ShouldBe("Дата окончания должна быть позже даты начала");
        var huge = await WebHost.JsonAsync(await manager.PostAsJsonAsync(Rights(number),
            new { personId = resident, categoryCode = "VET_TRUDA", validFrom = "2026-11-01", areaStandard = decimal.MaxValue, familySize = 1000 }, Ct), HttpStatusCode.BadRequest);
        huge.GetProperty("errors").GetProperty("areaStandard")[0].GetString().ShouldBe("Площадь по стандарту — не больше 10000 м², с точностью до 0,01 м²");
        huge.GetProperty("errors").GetProperty("familySize")[0].GetString().ShouldBe("Состав семьи — не больше 99 человек");
        var notJson = await manager.PostAsync(Rights(number), new StringContent("{ не json", Encoding.UTF8, "application/json"), Ct);
        notJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM benefit_rights r JOIN personal_accounts a ON a.id = r.account_id WHERE a.number = '{number}'")).ShouldBe(0);

        (await manager.GetAsync(Rights("000000000"), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var noRight = await WebHost.JsonAsync(await manager.PutAsJsonAsync($"{Rights(number)}/999999/close", new { lastDay = "2026-11-30" }, Ct), HttpStatusCode.NotFound);
        noRight.GetProperty("detail").GetString().ShouldBe($"Права с кодом 999999 по лицевому счёту {number} нет");
        var noDay = await WebHost.JsonAsync(await manager.PutAsJsonAsync($"{Rights(number)}/999999/close", new { reason = "без даты" }, Ct), HttpStatusCode.BadRequest);
        noDay.GetProperty("errors").GetProperty("lastDay")[0].GetString().ShouldStartWith("Укажите последний день права");
    }

    [Fact]
    public async Task Rights_are_the_account_managers_and_reference_data_the_calculators()
    {
        var (number, payer, _) = await AccountAsync();
        var calculator = await host.ClientAsync(Roles.Calculator);
        var manager = await host.ClientAsync(Roles.AccountManager);

        (await calculator.PostAsJsonAsync($"/api/v1/accounts/{number}/benefit-rights", Right(payer), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await calculator.GetAsync($"/api/v1/accounts/{number}/benefit-rights", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await manager.PostAsJsonAsync("/api/v1/benefit-deliveries", new { mode = "InKind", validFrom = "2026-01-01" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await manager.GetAsync("/api/v1/uszn/charges?month=2026-11", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await calculator.PostAsync("/api/v1/uszn/rights?fileName=x.csv", new ByteArrayContent([1]), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await host.AnonymousClient().GetAsync("/api/v1/benefit-categories", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_new_category_row_closes_the_one_in_force_and_deliveries_name_known_categories()
    {
        var calculator = await host.ClientAsync(Roles.Calculator);
        var row = new
        {
            code = "MNOGODET", title = "Многодетные семьи", legalBasis = "Закон области № 5", rate = 0.4m, services = "COMMUNAL,TKO", areaCap = "None",
            consumptionCapAtNorm = true, coversFamily = true, validFrom = "2027-01-01",
        };
        await WebHost.JsonAsync(await calculator.PostAsJsonAsync("/api/v1/benefit-categories", row, Ct), HttpStatusCode.Created);
        var all = await WebHost.JsonAsync(await calculator.GetAsync("/api/v1/benefit-categories", Ct), HttpStatusCode.OK);
        all.EnumerateArray().Where(c => c.GetProperty("code").GetString() == "MNOGODET")
            .Select(c => (c.GetProperty("validFrom").GetString(), c.GetProperty("validTo").GetString(), c.GetProperty("rate").GetDecimal()))
            .ShouldBe([("2005-01-01", "2027-01-01", 0.3m), ("2027-01-01", null, 0.4m)]);

        var again = await WebHost.JsonAsync(await calculator.PostAsJsonAsync("/api/v1/benefit-categories", row, Ct), HttpStatusCode.BadRequest);
        again.GetProperty("errors").GetProperty("validFrom")[0].GetString().ShouldBe("У категории MNOGODET уже есть строка с 01.01.2027 или позже: новая строка начинается после последней");
        var badRate = await WebHost.JsonAsync(await calculator.PostAsJsonAsync("/api/v1/benefit-categories", row with { code = "REG1", rate = 1.5m, services = "ALL" }, Ct),
            HttpStatusCode.BadRequest);
        badRate.GetProperty("errors").GetProperty("rate")[0].GetString().ShouldBe("Доля льготы — больше 0 и не больше 1 (например, 0.5)");
        badRate.GetProperty("errors").GetProperty("services")[0].GetString()!.ShouldStartWith("Неизвестная группа услуг «ALL»");

        await WebHost.JsonAsync(await calculator.PostAsJsonAsync("/api/v1/benefit-deliveries", new { mode = "InKind", categoryCode = "vet_truda", validFrom = "2026-01-01" }, Ct),
            HttpStatusCode.Created);
        var deliveries = await WebHost.JsonAsync(await calculator.GetAsync("/api/v1/benefit-deliveries", Ct), HttpStatusCode.OK);
        deliveries.EnumerateArray().ShouldContain(d => d.GetProperty("categoryCode").GetString() == "VET_TRUDA" && d.GetProperty("mode").GetString() == "InKind");
        var unknown = await WebHost.JsonAsync(await calculator.PostAsJsonAsync("/api/v1/benefit-deliveries", new { mode = "Cash", categoryCode = "NOPE", validFrom = "2026-01-01" }, Ct),
            HttpStatusCode.BadRequest);
        unknown.GetProperty("errors").GetProperty("categoryCode")[0].GetString().ShouldBe("Категории «NOPE» нет в справочнике категорий льготников");
        (await calculator.PostAsJsonAsync("/api/v1/benefit-deliveries", new { mode = "Sometimes", validFrom = "2026-01-01" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Subsidies_are_recorded_for_a_term()
    {
        var (number, _, _) = await AccountAsync();
        var manager = await host.ClientAsync(Roles.AccountManager);
        var open = await WebHost.JsonAsync(await manager.PostAsJsonAsync($"/api/v1/accounts/{number}/subsidies",
            new { amount = 1250.50m, validFrom = "2026-11-01", decisionNumber = "С-7", decisionDate = "2026-10-25" }, Ct), HttpStatusCode.BadRequest);
        open.GetProperty("errors").GetProperty("validTo")[0].GetString().ShouldBe("Субсидия назначается на срок: укажите его конец");
        var huge = await WebHost.JsonAsync(await manager.PostAsJsonAsync($"/api/v1/accounts/{number}/subsidies",
            new { amount = decimal.MaxValue, validFrom = "2026-11-01", lastDay = "9999-12-31", decisionNumber = "С-8", decisionDate = "2026-10-25" }, Ct), HttpStatusCode.BadRequest);
        huge.GetProperty("errors").GetProperty("amount")[0].GetString().ShouldBe("Субсидия — не больше 1000000 ₽ в месяц");

        await WebHost.JsonAsync(await manager.PostAsJsonAsync($"/api/v1/accounts/{number}/subsidies",
            new { amount = 1250.50m, validFrom = "2026-11-01", lastDay = "2027-04-30", decisionNumber = "С-7", decisionDate = "2026-10-25", usznDecisionId = "S-" + number }, Ct),
            HttpStatusCode.Created);
        var list = await WebHost.JsonAsync(await manager.GetAsync($"/api/v1/accounts/{number}/subsidies", Ct), HttpStatusCode.OK);
        var subsidy = list.EnumerateArray().Single();
        (subsidy.GetProperty("amount").GetDecimal(), subsidy.GetProperty("validTo").GetString()).ShouldBe((1250.50m, "2027-05-01"));

        // One subsidy at a time, as SUBDEC's SUBSIDY_OVERLAP.
        var overlap = await WebHost.JsonAsync(await manager.PostAsJsonAsync($"/api/v1/accounts/{number}/subsidies",
            new { amount = 900m, validFrom = "2027-04-01", lastDay = "2027-09-30", decisionNumber = "С-9", decisionDate = "2027-03-25" }, Ct), HttpStatusCode.BadRequest);
        overlap.GetProperty("errors").GetProperty("validFrom")[0].GetString()
            .ShouldBe($"На эти месяцы у лицевого счёта уже есть субсидия по решению УСЗН S-{number} (№ С-7, 1250.50 ₽ в месяц, с 01.11.2026 по 30.04.2027)");
        (await WebHost.JsonAsync(await manager.GetAsync($"/api/v1/accounts/{number}/subsidies", Ct), HttpStatusCode.OK)).GetArrayLength().ShouldBe(1);
    }

    private static MultipartFormDataContent Upload(byte[] file, string name)
    {
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { content, "file", name } };
    }

    [Fact]
    public async Task A_registry_is_loaded_whole_or_refused_with_every_reason_and_its_error_file()
    {
        var (number, _, _) = await AccountAsync();
        var manager = await host.ClientAsync(Roles.AccountManager);
        const string Name = "OPENERC_BENREG_ERC_USZN_202611_001.csv";
        var good = BenregSample.File(BenregSample.Row("W-" + number, number, "Ветеранова", "Анна", "Сергеевна", "12.03.1950"));

        var loaded = await WebHost.JsonAsync(await manager.PostAsync("/api/v1/uszn/rights", Upload(good, Name), Ct), HttpStatusCode.OK);
        (loaded.GetProperty("rows").GetInt32(), loaded.GetProperty("added").GetInt32()).ShouldBe((1, 1));
        // The same file as the raw body: nothing changes; the empty error report answers it.
        var raw = await manager.PostAsync($"/api/v1/uszn/rights?fileName={Name}", new ByteArrayContent(good), Ct);
        (await WebHost.JsonAsync(raw, HttpStatusCode.OK)).GetProperty("unchanged").GetInt32().ShouldBe(1);
        var empty = await manager.PostAsync($"/api/v1/uszn/rights?fileName={Name}&format=benerr", new ByteArrayContent(good), Ct);
        empty.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await empty.Content.ReadAsStringAsync(Ct)).ShouldEndWith("#TRAILER;0;0.00\r\n");

        var bad = BenregSample.File(
            BenregSample.Row("X-1-" + number, "000000000", "Ветеранова", "Анна", "Сергеевна", "12.03.1950"),
            BenregSample.Row("X-2-" + number, number, "Чужая", "Анна", "Сергеевна", "12.03.1950"));
        var refused = await WebHost.JsonAsync(await manager.PostAsync("/api/v1/uszn/rights", Upload(bad, Name), Ct), HttpStatusCode.UnprocessableEntity);
        refused.GetProperty("title").GetString().ShouldBe("Реестр прав УСЗН не загружен");
        refused.GetProperty("problems").EnumerateArray().Select(p => (p.GetProperty("line").GetInt32(), p.GetProperty("code").GetString()))
            .ShouldBe([(2, "ACCOUNT_NOT_FOUND"), (3, "PERSON_NOT_RESIDENT")]);
        var report = await manager.PostAsync("/api/v1/uszn/rights?format=benerr", Upload(bad, Name), Ct);
        report.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        report.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe("OPENERC_BENERR_ERC_USZN_202611_001.csv");
        (await report.Content.ReadAsStringAsync(Ct)).ShouldContain("ACCOUNT_NOT_FOUND");

        var malformed = await WebHost.JsonAsync(await manager.PostAsync("/api/v1/uszn/rights", Upload(Encoding.UTF8.GetBytes("нет;заголовка\r\n"), "benreg.csv"), Ct),
            HttpStatusCode.UnprocessableEntity);
        malformed.GetProperty("problems")[0].GetProperty("message").GetString()!.ShouldStartWith("Имя файла «benreg.csv»");
        (await manager.PostAsync("/api/v1/uszn/rights", new ByteArrayContent([]), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await manager.PostAsync("/api/v1/uszn/rights", new ByteArrayContent(good), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await manager.PostAsync($"/api/v1/uszn/rights?fileName={Name}&format=pdf", new ByteArrayContent(good), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await host.ScalarAsync<long>("SELECT count(*) FROM benefit_rights WHERE uszn_right_id LIKE 'X-%'")).ShouldBe(0);
    }

    [Fact]
    public async Task Subsidy_decisions_are_loaded_whole_or_refused_with_every_reason_and_its_error_file()
    {
        var (number, _, _) = await AccountAsync();
        var manager = await host.ClientAsync(Roles.AccountManager);
        const string Name = "OPENERC_SUBDEC_ERC_USZN_202611_001.csv";
        var good = SubdecSample.File(SubdecSample.Row("D-" + number, number, ("LastName", "Ветеранова"), ("FirstName", "Анна"), ("MiddleName", "Сергеевна"),
            ("ValidFrom", "01.11.2026"), ("ValidTo", "30.04.2027")));

        var loaded = await WebHost.JsonAsync(await manager.PostAsync("/api/v1/uszn/subsidies", Upload(good, Name), Ct), HttpStatusCode.OK);
        (loaded.GetProperty("rows").GetInt32(), loaded.GetProperty("added").GetInt32()).ShouldBe((1, 1));
        var list = await WebHost.JsonAsync(await manager.GetAsync($"/api/v1/accounts/{number}/subsidies", Ct), HttpStatusCode.OK);
        var subsidy = list.EnumerateArray().Single();
        (subsidy.GetProperty("usznDecisionId").GetString(), subsidy.GetProperty("amount").GetDecimal(), subsidy.GetProperty("validTo").GetString())
            .ShouldBe(("D-" + number, 1250.50m, "2027-05-01"));
        // The same file as the raw body: nothing changes; the empty error report answers it.
        var raw = await manager.PostAsync($"/api/v1/uszn/subsidies?fileName={Name}", new ByteArrayContent(good), Ct);
        (await WebHost.JsonAsync(raw, HttpStatusCode.OK)).GetProperty("unchanged").GetInt32().ShouldBe(1);
        var empty = await manager.PostAsync($"/api/v1/uszn/subsidies?fileName={Name}&format=benerr", new ByteArrayContent(good), Ct);
        empty.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await empty.Content.ReadAsStringAsync(Ct)).ShouldBe("DecisionId;AccountNumber;Line;Code;Message\r\n#TRAILER;0;0.00\r\n");

        var bad = SubdecSample.File(
            SubdecSample.Row("Y-1-" + number, "000000000"),
            SubdecSample.Row("Y-2-" + number, number, ("LastName", "Чужая"), ("FirstName", "Анна"), ("ValidFrom", "01.05.2027"), ("ValidTo", "31.10.2027")),
            SubdecSample.Row("Y-3-" + number, number, ("ValidFrom", "01.01.2027"), ("ValidTo", "31.03.2027")));
        var refused = await WebHost.JsonAsync(await manager.PostAsync("/api/v1/uszn/subsidies", Upload(bad, Name), Ct), HttpStatusCode.UnprocessableEntity);
        refused.GetProperty("title").GetString().ShouldBe("Решения УСЗН о субсидиях не загружены");
        refused.GetProperty("problems").EnumerateArray().Select(p => (p.GetProperty("line").GetInt32(), p.GetProperty("code").GetString()))
            .ShouldBe([(2, "ACCOUNT_NOT_FOUND"), (3, "PERSON_NOT_RESIDENT"), (4, "SUBSIDY_OVERLAP")]);
        var report = await manager.PostAsync("/api/v1/uszn/subsidies?format=benerr", Upload(bad, Name), Ct);
        report.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        report.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe("OPENERC_BENERR_ERC_USZN_202611_001.csv");
        (await report.Content.ReadAsStringAsync(Ct)).ShouldContain($"Y-1-{number};000000000;2;ACCOUNT_NOT_FOUND;");

        var malformed = await WebHost.JsonAsync(await manager.PostAsync("/api/v1/uszn/subsidies", Upload(good, "OPENERC_BENREG_ERC_USZN_202611_001.csv"), Ct),
            HttpStatusCode.UnprocessableEntity);
        malformed.GetProperty("problems")[0].GetProperty("message").GetString()!.ShouldStartWith("Имя файла «OPENERC_BENREG_ERC_USZN_202611_001.csv» — не OPENERC_SUBDEC_");
        var noFile = await WebHost.JsonAsync(await manager.PostAsync("/api/v1/uszn/subsidies", new ByteArrayContent([]), Ct), HttpStatusCode.BadRequest);
        noFile.GetProperty("errors").GetProperty("file")[0].GetString()!.ShouldContain("fileName=OPENERC_SUBDEC_");
        (await manager.PostAsync("/api/v1/uszn/subsidies", new ByteArrayContent(good), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await manager.PostAsync($"/api/v1/uszn/subsidies?fileName={Name}&format=pdf", new ByteArrayContent(good), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var calculator = await host.ClientAsync(Roles.Calculator);
        (await calculator.PostAsync("/api/v1/uszn/subsidies?fileName=x.csv", new ByteArrayContent([1]), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await host.ScalarAsync<long>("SELECT count(*) FROM subsidy_decisions WHERE uszn_decision_id LIKE 'Y-%'")).ShouldBe(0);
    }

    [Fact]
    public async Task Charges_for_uszn_are_a_named_file_of_the_month_and_bad_parameters_are_400()
    {
        var calculator = await host.ClientAsync(Roles.Calculator);
        var csv = await calculator.GetAsync("/api/v1/uszn/charges?month=2026-11&encoding=cp1251", Ct);
        csv.StatusCode.ShouldBe(HttpStatusCode.OK, await csv.Content.ReadAsStringAsync(Ct));
        csv.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe("OPENERC_BENCHG_ERC_USZN_202611_001.csv");
        var text = OpenErc.Exchange.Encodings.Cp1251.GetString(await csv.Content.ReadAsByteArrayAsync(Ct));
        text.ShouldStartWith("Period;RightId;AccountNumber");
        var xml = await calculator.GetAsync("/api/v1/uszn/charges?month=2026-11&format=xml", Ct);
        xml.StatusCode.ShouldBe(HttpStatusCode.OK);
        xml.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe("OPENERC_BENCHG_ERC_USZN_202611_001.xml");
        (await xml.Content.ReadAsStringAsync(Ct)).ShouldContain("<BENCHG>");

        var month = await WebHost.JsonAsync(await calculator.GetAsync("/api/v1/uszn/charges?month=2026-13", Ct), HttpStatusCode.BadRequest);
        month.GetProperty("errors").GetProperty("month").GetArrayLength().ShouldBe(1);
        (await WebHost.JsonAsync(await calculator.GetAsync("/api/v1/uszn/charges", Ct), HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("month", out _).ShouldBeTrue();
        var encoding = await WebHost.JsonAsync(await calculator.GetAsync("/api/v1/uszn/charges?month=2026-11&encoding=koi8", Ct), HttpStatusCode.BadRequest);
        encoding.GetProperty("errors").GetProperty("encoding")[0].GetString().ShouldBe("Кодировка: utf8 (по умолчанию) или cp1251");
        var xml1251 = await WebHost.JsonAsync(await calculator.GetAsync("/api/v1/uszn/charges?month=2026-11&format=xml&encoding=cp1251", Ct), HttpStatusCode.BadRequest);
        xml1251.GetProperty("errors").GetProperty("encoding")[0].GetString()!.ShouldStartWith("XML выгружается только в UTF-8");
    }
}
