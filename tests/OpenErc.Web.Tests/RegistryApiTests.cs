using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Accounts;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Core.Residents;
using OpenErc.Operations.Registry;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The registry JSON API over real HTTP: validation in Russian with nothing saved, search, history.</summary>
public sealed class RegistryApiTests(WebHost host) : IClassFixture<WebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Building Building, Premise Premise, Person Payer, PersonalAccount Account)> CreateAccountAsync(string street, string flat, string lastName, long serial)
    {
        var town = await host.PostAsync<Municipality>("/api/v1/municipalities", new { name = "Городской округ Новоград " + serial, oktmo = "65701000" });
        var building = await host.PostAsync<Building>("/api/v1/buildings", new
        {
            municipalityId = town.Id, region = "Новоградская область", settlement = "г. Новоград", street, house = "17", block = "2",
            floors = 9, entrances = 4, totalArea = 5400.5m, residentialArea = 4100m, nonResidentialArea = 300m, commonPropertyArea = 1000.5m,
            kind = "ApartmentBuilding", heatingPaymentMethod = "EvenlyThroughYear", capitalRepairFundMethod = "RegionalOperator",
        });
        var premise = await host.PostAsync<Premise>("/api/v1/premises", new { buildingId = building.Id, number = flat, totalArea = 54.3m, rooms = 2, entrance = 1, floor = 3 });
        var payer = await host.PostAsync<Person>("/api/v1/people", new { lastName, firstName = "Анна", middleName = "Сергеевна", birthDate = "1980-04-12" });
        var account = await host.PostAsync<PersonalAccount>("/api/v1/accounts", new
        {
            number = AccountNumber.Create(serial), premiseId = premise.Id, payerPersonId = payer.Id, share = 1, openedOn = "2024-01-01",
        });
        return (building, premise, payer, account);
    }

    [Fact]
    public async Task Health_answers_when_the_database_does()
    {
        var response = await Http.GetAsync("/health", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("ok");
    }

    [Fact]
    public async Task Invalid_building_gets_russian_messages_per_field_and_nothing_is_saved()
    {
        await using var db = host.CreateContext();
        int before = await db.Buildings.CountAsync(Ct);
        var response = await Http.PostAsJsonAsync("/api/v1/buildings", new
        {
            municipalityId = 0, region = "", settlement = "г. Новоград", house = "", floors = 0, totalArea = -5m, postalCode = "12",
            cadastralNumber = "кадастр",
        }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("title").GetString().ShouldBe("Данные не сохранены: исправьте ошибки");
        var errors = problem.GetProperty("errors");
        errors.GetProperty("region")[0].GetString().ShouldBe("Укажите регион");
        errors.GetProperty("house")[0].GetString().ShouldBe("Укажите номер дома");
        errors.GetProperty("floors")[0].GetString().ShouldBe("Этажность должна быть от 1 до 200");
        errors.GetProperty("totalArea")[0].GetString().ShouldBe("Общая площадь должна быть от 0 до 10 000 000 м²");
        errors.GetProperty("postalCode")[0].GetString().ShouldBe("Почтовый индекс состоит из 6 цифр");
        errors.GetProperty("cadastralNumber")[0].GetString().ShouldBe("Кадастровый номер имеет вид 00:00:0000000:0");
        errors.GetProperty("municipalityId")[0].GetString().ShouldBe("Укажите муниципальное образование");
        (await db.Buildings.CountAsync(Ct)).ShouldBe(before);
    }

    [Fact]
    public async Task Organisation_with_a_wrong_control_digit_is_refused()
    {
        await using var db = host.CreateContext();
        int before = await db.Organisations.CountAsync(Ct);
        var response = await Http.PostAsJsonAsync("/api/v1/organisations", new
        {
            kind = "ResourceSupplier", name = "АО «Новоградводоканал»", inn = "7707083894", kpp = "770701001", ogrn = "1027700132195",
            bik = "044525225", settlementAccount = "40702810000000000001", correspondentAccount = "30101810400000000225",
        }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.GetProperty("inn")[0].GetString().ShouldBe("Неверное контрольное число ИНН");
        errors.GetProperty("settlementAccount")[0].GetString().ShouldBe("Ключ расчётного счёта не сходится с БИК");
        (await db.Organisations.CountAsync(Ct)).ShouldBe(before);

        var ok = await host.PostAsync<Organisation>("/api/v1/organisations", new
        {
            kind = "ResourceSupplier", name = "АО «Новоградводоканал»", inn = "7707083893", kpp = "770701001", ogrn = "1027700132195",
            bik = "044525225", settlementAccount = Requisites.CompleteSettlementAccount("40702810000000000001", "044525225"),
            correspondentAccount = "30101810400000000225",
        });
        ok.Id.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Malformed_json_and_unknown_enum_are_explained()
    {
        var body = new StringContent("""{"municipalityId": "семь", "region": "x"}""", Encoding.UTF8, "application/json");
        var response = await Http.PostAsync("/api/v1/buildings", body, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.GetProperty("municipalityId")[0].GetString().ShouldBe("Неверный формат значения");

        var enumBody = new StringContent("""{"kind": "Дворец", "name": "x", "inn": "7707083893"}""", Encoding.UTF8, "application/json");
        var enumResponse = await Http.PostAsync("/api/v1/organisations", enumBody, Ct);
        enumResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await enumResponse.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("kind")[0].GetString().ShouldBe("Неверный формат значения");
    }

    [Fact]
    public async Task Reference_to_a_missing_object_is_a_field_error_and_nothing_is_saved()
    {
        await using var db = host.CreateContext();
        int before = await db.Premises.CountAsync(Ct);
        var response = await Http.PostAsJsonAsync("/api/v1/premises", new { buildingId = 987654, number = "1", totalArea = 40m }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("buildingId")[0].GetString()
            .ShouldBe("Ссылка на несуществующий объект");
        (await db.Premises.CountAsync(Ct)).ShouldBe(before);
    }

    [Fact]
    public async Task Duplicate_account_number_is_refused()
    {
        var (_, premise, _, account) = await CreateAccountAsync("ул. Дублёров", "1", "Двойникова", 700_001);
        var response = await Http.PostAsJsonAsync("/api/v1/accounts", new { number = account.Number, premiseId = premise.Id, openedOn = "2024-01-01" }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("number")[0].GetString()
            .ShouldBe("Такое значение уже есть в картотеке");
    }

    [Fact]
    public async Task Missing_object_is_404_in_russian()
    {
        var response = await Http.GetAsync("/api/v1/buildings/987654321", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString().ShouldBe("Дома: объект с кодом 987654321 не найден");
    }

    [Fact]
    public async Task Update_is_validated_and_archived_with_its_reason()
    {
        var (building, _, _, _) = await CreateAccountAsync("ул. Архивная", "5", "Архипова", 700_002);
        var bad = await Http.PutAsJsonAsync($"/api/v1/buildings/{building.Id}", new { building.MunicipalityId, building.Region, building.Settlement, building.House, floors = 500, building.TotalArea }, Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Http.GetFromJsonAsync<Building>($"/api/v1/buildings/{building.Id}", WebHost.Json, Ct))!.Floors.ShouldBe(9);

        building.Floors = 10;
        building.WearPercent = 35.5m;
        var ok = await Http.PutAsJsonAsync($"/api/v1/buildings/{building.Id}?reason={Uri.EscapeDataString("Надстройка этажа по техпаспорту")}", building, WebHost.Json, Ct);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);

        var history = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/buildings/{building.Id}/history", Ct);
        history.GetArrayLength().ShouldBe(2);
        var edit = history[0];
        edit.GetProperty("action").GetString().ShouldBe("Updated");
        edit.GetProperty("reason").GetString().ShouldBe("Надстройка этажа по техпаспорту");
        edit.GetProperty("changes").EnumerateArray().Select(c => (c.GetProperty("field").GetString(), c.GetProperty("from").GetString(), c.GetProperty("to").GetString()))
            .ShouldBe([("Floors", "9", "10"), ("WearPercent", "0", "35.5")], ignoreOrder: true);
        history[1].GetProperty("action").GetString().ShouldBe("Created");
    }

    [Fact]
    public async Task Accounts_are_found_by_number_address_and_payer()
    {
        var (building, _, payer, account) = await CreateAccountAsync("ул. Черёмуховая", "42", "Поисковая", 700_003);
        async Task<JsonElement> Find(string text) =>
            await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts?search=" + Uri.EscapeDataString(text), Ct);

        foreach (var query in new[] { account.Number, "Черёмуховая 17 кв. 42", "поисковая анна", "черёмуховая, д. 17 корп. 2" })
        {
            var page = await Find(query);
            page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()).ShouldContain(account.Number, query);
        }
        var found = (await Find(account.Number)).GetProperty("items")[0];
        found.GetProperty("address").GetString().ShouldBe(building.Settlement + ", ул. Черёмуховая, д. 17 корп. 2");
        found.GetProperty("payer").GetString().ShouldBe("Поисковая Анна Сергеевна");
        found.GetProperty("status").GetString().ShouldBe("Open");
        (await Find("Черёмуховая кв. 43")).GetProperty("total").GetInt32().ShouldBe(0);
        payer.Id.ShouldBeGreaterThan(0);
        // The first digits of a number; a page past the end still has the total; another order finds the same.
        string digits = account.Number[..7];
        var prefix = (await Find(digits)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToList();
        prefix.ShouldContain(account.Number);
        prefix.ShouldAllBe(n => n.StartsWith(digits, StringComparison.Ordinal));
        var past = await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts?page=9&search=" + Uri.EscapeDataString("поисковая анна"), Ct);
        past.GetProperty("items").GetArrayLength().ShouldBe(0);
        past.GetProperty("total").GetInt32().ShouldBe((await Find("поисковая анна")).GetProperty("total").GetInt32());
        var byAddress = await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts?sort=Address&desc=true&search=" + Uri.EscapeDataString("поисковая анна"), Ct);
        byAddress.GetProperty("items")[0].GetProperty("number").GetString().ShouldBe(account.Number);

        // Its other numbers (an earlier system's, the ЕЛС) find it too, in any case of letters.
        (await Http.PostAsJsonAsync("/api/v1/account-aliases", new { accountId = account.Id, kind = "Legacy", number = "kv-700003", source = "Квадо" }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Http.PostAsJsonAsync("/api/v1/account-aliases", new { accountId = account.Id, kind = "Unified", number = "75ДА533399" }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var badEls = await Http.PostAsJsonAsync("/api/v1/account-aliases", new { accountId = account.Id, kind = "Unified", number = "75DA533399" }, Ct);
        badEls.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badEls.Content.ReadAsStringAsync(Ct)).ShouldContain("ЕЛС «75DA533399» не по образцу");
        foreach (var alias in new[] { "KV-700003", "75да533399" })
            (await Find(alias)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString()).ShouldBe([account.Number], alias);
    }

    [Fact]
    public async Task Accounts_are_found_as_operators_type_addresses_the_exact_flat_first_and_e_reads_as_yo()
    {
        var (building, _, payer, twelve) = await CreateAccountAsync("ул. Ёлочная", "12", "Ёжикова", 700_006);
        var others = new Dictionary<string, string>();
        foreach (var (flat, serial) in new[] { ("120", 700_007L), ("2", 700_008L), ("312", 700_009L) })
        {
            var premise = await host.PostAsync<Premise>("/api/v1/premises", new { buildingId = building.Id, number = flat, totalArea = 40m, rooms = 1, entrance = 1, floor = 2 });
            var account = await host.PostAsync<PersonalAccount>("/api/v1/accounts",
                new { number = AccountNumber.Create(serial), premiseId = premise.Id, payerPersonId = payer.Id, share = 1, openedOn = "2024-01-01" });
            others[flat] = account.Number;
        }
        async Task<List<string>> Find(string text) =>
            (await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts?search=" + Uri.EscapeDataString(text), Ct)).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("number").GetString()!).ToList();

        // The exact flat, then the flats that begin with its number; never another house or a flat that only contains it.
        foreach (var query in new[] { "Елочная 17 кв 12", "елочная, 17-12", "ЁЛОЧНАЯ д. 17 корп. 2 кв. 12", "Новоград Ёлочная 17 12" })
            (await Find(query)).ShouldBe([twelve.Number, others["120"]], query);
        (await Find("Елочная 15 кв 12")).ShouldBeEmpty();
        (await Find("Елочная 7 кв 12")).ShouldBeEmpty();
        // A lone number is the house or the flat.
        (await Find("елочная 17")).Count.ShouldBe(4);
        (await Find("елочная 2")).ShouldBe([others["2"], twelve.Number, others["120"], others["312"]]);
        // The payer's name, «е» for «ё», with the flat.
        (await Find("ежикова анна")).Count.ShouldBe(4);
        (await Find("Ежикова 312")).ShouldBe([others["312"]]);
        // An account number (or its first six digits or more) is the account itself.
        (await Find(twelve.Number + " Елочная")).ShouldBe([twelve.Number]);
    }

    /// <summary>
    /// A payer's name that thousands of people have, with a flat, finds the accounts that have both; and the search keys
    /// the database keeps on each account follow the registry: a payer renamed or replaced, a premise renumbered or moved
    /// to another building, an account closed.
    /// </summary>
    [Fact]
    public async Task The_search_follows_the_registry_and_a_common_surname_with_a_flat_reads_only_the_flat()
    {
        var (building, _, payer, mine) = await CreateAccountAsync("ул. Многолюдная", "47", "Многофамильцева", 700_010);
        var (other, premise, _, theirs) = await CreateAccountAsync("ул. Многолюдная", "470", "Многофамильцева", 700_011);
        await Sql.ExecAsync(host.ConnectionString, """
            INSERT INTO people (last_name, first_name, middle_name)
            SELECT 'Многофамильцева', 'Ольга', 'Ивановна' FROM generate_series(1, 3000)
            """);
        // The page's numbers and the total.
        async Task<string> Find(string text, string filter = "")
        {
            var page = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/accounts?search={Uri.EscapeDataString(text)}{filter}", Ct);
            return string.Join(" ", page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetString())) + " / " + page.GetProperty("total").GetInt32();
        }

        string both = $"{mine.Number} {theirs.Number} / 2";
        (await Find("Многофамильцева 47")).ShouldBe(both);
        (await Find("многофамильцева кв 470")).ShouldBe($"{theirs.Number} / 1");
        (await Find("Многофамильцева 17 47")).ShouldBe(both);
        (await Find("Многофамильцева 15 47")).ShouldBe(" / 0");
        (await Find("Многофамильцева Анна 47")).ShouldBe(both);
        (await Find("Многофамильцева Ольга 47")).ShouldBe(" / 0");

        // The payer marries: her new name finds the account, the old one no longer does.
        payer.LastName = "Новосёлова";
        (await Http.PutAsJsonAsync($"/api/v1/people/{payer.Id}", payer, WebHost.Json, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Find("новоселова 47")).ShouldBe($"{mine.Number} / 1");
        (await Find("Многофамильцева 47")).ShouldBe($"{theirs.Number} / 1");

        // The other premise is renumbered and moved to the first building; its account follows it.
        premise.Number = "48";
        premise.BuildingId = building.Id;
        (await Http.PutAsJsonAsync($"/api/v1/premises/{premise.Id}", premise, WebHost.Json, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Find("Многофамильцева 48")).ShouldBe($"{theirs.Number} / 1");
        (await Find("Многолюдная 17 кв 48", $"&buildingId={building.Id}")).ShouldBe($"{theirs.Number} / 1");
        (await Find("Многолюдная 17", $"&buildingId={other.Id}")).ShouldBe(" / 0");

        // Another payer for the account; then the account is closed and leaves the open ones.
        var account = await Http.GetFromJsonAsync<PersonalAccount>($"/api/v1/accounts/{mine.Id}", WebHost.Json, Ct);
        var heir = await host.PostAsync<Person>("/api/v1/people", new { lastName = "Наследникова", firstName = "Ёлка", birthDate = "2001-02-03" });
        account!.PayerPersonId = heir.Id;
        (await Http.PutAsJsonAsync($"/api/v1/accounts/{mine.Id}", account, WebHost.Json, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Find("наследникова елка 47")).ShouldBe($"{mine.Number} / 1");
        (await Find("новоселова 47")).ShouldBe(" / 0");
        account.PayerPersonId = heir.Id;
        account.ClosedOn = new DateOnly(2026, 10, 31);
        (await Http.PutAsJsonAsync($"/api/v1/accounts/{mine.Id}", account, WebHost.Json, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Find("наследникова 47", "&open=false")).ShouldBe($"{mine.Number} / 1");
        (await Find("наследникова 47", "&open=true")).ShouldBe(" / 0");
    }

    [Fact]
    public async Task Lists_page_sort_and_filter_by_reference()
    {
        var (building, _, _, _) = await CreateAccountAsync("ул. Страничная", "1", "Листова", 700_004);
        foreach (var n in new[] { "2", "3", "10" })
            await host.PostAsync<Premise>("/api/v1/premises", new { buildingId = building.Id, number = n, totalArea = 30m + n.Length });
        var page = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/premises?buildingId={building.Id}&sort=-number&pageSize=2&page=1", Ct);
        page.GetProperty("total").GetInt32().ShouldBe(4);
        page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("number").GetString()).ShouldBe(["3", "2"]);
        var bad = await Http.GetAsync("/api/v1/premises?sort=высота", Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Resident_count_changes_from_a_date_and_keeps_the_old_period()
    {
        var (_, _, _, account) = await CreateAccountAsync("ул. Жилая", "8", "Жильцова", 700_005);
        (await Http.PostAsJsonAsync($"/api/v1/accounts/{account.Id}/resident-count", new { count = 3, from = "2024-01-01", basis = "по регистрации" }, Ct)).EnsureSuccessStatusCode();
        (await Http.PostAsJsonAsync($"/api/v1/accounts/{account.Id}/resident-count?reason=" + Uri.EscapeDataString("Акт о проживании"), new { count = 4, from = "2026-03-15", basis = "акт" }, Ct)).EnsureSuccessStatusCode();
        var bad = await Http.PostAsJsonAsync($"/api/v1/accounts/{account.Id}/resident-count", new { count = -1, from = "2026-04-01" }, Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var rows = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/resident-counts?accountId={account.Id}&sort=validFrom", Ct);
        rows.GetProperty("items").EnumerateArray().Select(r => (r.GetProperty("count").GetInt32(), r.GetProperty("validFrom").GetString(), r.GetProperty("validTo").ValueKind == JsonValueKind.Null ? null : r.GetProperty("validTo").GetString()))
            .ShouldBe([(3, "2024-01-01", "2026-03-15"), (4, "2026-03-15", null)]);
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_served()
    {
        var doc = await Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/accounts", "/api/v1/buildings/{id}", "/api/v1/meters/{id}/history", "/api/v1/tariffs", "/health" })
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
        (await Http.GetAsync("/scalar/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
