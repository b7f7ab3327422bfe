using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using UglyToad.PdfPig;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The паспортист on an account card: registers a new person with his passport, deregisters another back-dated into a
/// charged month — the number of residents follows and the recalculation queue holds the building — and issues a
/// выписка из домовой книги whose PDF lists exactly the people registered and the owners.
/// </summary>
public sealed class PassportJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    [Fact]
    public async Task A_passport_officer_registers_deregisters_back_dated_and_issues_a_house_book_extract()
    {
        var ct = TestContext.Current.CancellationToken;
        // November, the open month, is charged; then an account of a flat of one account with two people registered.
        await host.ChargedAccountAsync();
        long account = await host.ScalarAsync<long>("""
            SELECT a.id FROM personal_accounts a JOIN premises p ON p.id = a.premise_id
            WHERE a.closed_on IS NULL AND p.kind = 1
              AND (SELECT count(*) FROM personal_accounts o WHERE o.premise_id = p.id) = 1
              AND (SELECT count(*) FROM registrations r WHERE r.account_id = a.id AND r.valid_from <= '2026-11-01'
                   AND (r.valid_to IS NULL) AND r.kind = 1) >= 2
              AND EXISTS (SELECT 1 FROM registrations r WHERE r.account_id = a.id AND r.valid_from <= '2026-11-01' AND r.valid_to IS NULL AND r.kind = 1
                   AND NOT EXISTS (SELECT 1 FROM ownerships o WHERE o.person_id = r.person_id))
              AND EXISTS (SELECT 1 FROM billing_run_buildings b JOIN billing_runs r ON r.id = b.run_id WHERE b.building_id = p.building_id AND r.month = '2026-11-01' AND b.state = 'done')
            ORDER BY a.id LIMIT 1
            """);
        long building = await host.ScalarAsync<long>($"SELECT p.building_id FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE a.id = {account}");
        int before = await host.ScalarAsync<int>($"SELECT count FROM resident_counts WHERE account_id = {account} AND valid_from <= '2026-11-20' AND (valid_to IS NULL OR valid_to > '2026-11-20')");
        (long leaving, string leavingName) = await host.ScalarAsync<string>($"""
            SELECT r.id || ';' || p.full_name FROM registrations r JOIN people p ON p.id = r.person_id
            WHERE r.account_id = {account} AND r.valid_to IS NULL AND r.kind = 1 AND r.valid_from <= '2026-11-01'
              AND NOT EXISTS (SELECT 1 FROM ownerships o WHERE o.person_id = r.person_id) ORDER BY r.valid_from DESC, r.id DESC LIMIT 1
            """) is var row ? (long.Parse(row.Split(';')[0]), row.Split(';')[1]) : default;
        int before10th = await host.ScalarAsync<int>($"SELECT count FROM resident_counts WHERE account_id = {account} AND valid_from <= '2026-11-10' AND (valid_to IS NULL OR valid_to > '2026-11-10')");
        (await host.ScalarAsync<long>("SELECT count(*) FROM recalculation_queue")).ShouldBe(0);

        var login = await host.CreateUserAsync(Roles.PassportOfficer);
        var (client, cookies) = await host.SignedInAsync(login);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);
        await page.GotoAsync($"/accounts/{account}");
        await WebHost.OpenTabAsync(page, "Проживающие");

        // A new person with a passport, registered from today.
        await page.GetByTestId("register-person").ClickAsync();
        await Fill(page, ("reg-last", "Ёлкина"), ("reg-first", "Мария"), ("reg-middle", "Петровна"), ("reg-birth", "14.02.1999"),
            ("reg-birthplace", "г. Казань"), ("reg-doc-series", "92 19"), ("reg-doc-number", "654321"), ("reg-doc-issuedby", "МВД по Республике Татарстан"),
            ("reg-doc-issuedon", "01.03.2019"), ("reg-doc-division", "160-005"), ("reg-from", "20.11.2026"), ("reg-basis", "заявление по форме 6 № 301"),
            ("reg-arrived", "г. Казань, ул. Баумана, д. 5"));
        // Left with Tab like the other fields: the value reaches the server before the click, whatever the machine's load.
        await Fill(page, ("reg-relation", "дочь"));
        await WebHost.SaveDialogAsync(page, "reg-save");
        await Assertions.Expect(page.GetByTestId("registrations")).ToContainTextAsync("Ёлкина Мария Петровна");
        (await host.ScalarAsync<string>($"""
            SELECT r.kind || ' ' || r.valid_from || ' ' || r.relation || ' ' || d.series || ' ' || d.number || ' ' || d.division_code
            FROM registrations r JOIN people p ON p.id = r.person_id JOIN identity_documents d ON d.person_id = p.id
            WHERE r.account_id = {account} AND p.full_name = 'Ёлкина Мария Петровна'
            """)).ShouldBe("1 2026-11-20 дочь 92 19 654321 160-005");
        await Assertions.Expect(page.GetByTestId("residents-current")).ToHaveTextAsync((before + 1).ToString());

        // Another one moved out on 10.11: November is charged, so the building is queued for recalculation.
        await page.GetByTestId($"deregister-{leaving}").ClickAsync();
        await Fill(page, ("dereg-on", "10.11.2026"), ("dereg-to", "г. Самара"), ("dereg-basis", "решение МВД от 10.11.2026"));
        await WebHost.SaveDialogAsync(page, "dereg-save");
        await Assertions.Expect(page.GetByTestId($"deregister-{leaving}")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("residents-current")).ToHaveTextAsync(before.ToString());
        (await host.ScalarAsync<string>($"SELECT valid_to || ' ' || end_reason || ' ' || departed_to FROM registrations WHERE id = {leaving}"))
            .ShouldBe("2026-11-10 1 г. Самара");
        (await host.ScalarAsync<int>($"SELECT count FROM resident_counts WHERE account_id = {account} AND valid_from <= '2026-11-10' AND (valid_to IS NULL OR valid_to > '2026-11-10')"))
            .ShouldBe(before10th - 1);
        (await host.ScalarAsync<string>($"SELECT building_id || ' ' || from_month || ' ' || queued_by FROM recalculation_queue"))
            .ShouldBe($"{building} 2026-11-01 {login}");

        // The extract: issued, journaled, its PDF lists exactly the people registered today and the owners.
        await page.GetByTestId("issue-document").ClickAsync();
        await OperatorJourneyTests.Input(page, "doc-requester-document").FillAsync("паспорт 45 09 123456");
        await OperatorJourneyTests.Input(page, "doc-purpose").FillAsync("нотариусу");
        await WebHost.SaveDialogAsync(page, "doc-issue");
        await Assertions.Expect(page.GetByTestId("issued-documents")).ToContainTextAsync("Выписка из домовой книги");
        long document = await host.ScalarAsync<long>($"SELECT id FROM issued_documents WHERE account_id = {account} AND operator = '{login}'");
        var response = await client.GetAsync($"/api/v1/documents/{document}/pdf", ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var pdf = await response.Content.ReadAsByteArrayAsync(ct);
        (await host.ScalarAsync<string>($"SELECT encode(sha256, 'hex') FROM issued_documents WHERE id = {document}"))
            .ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)));

        using var read = PdfDocument.Open(pdf);
        var words = string.Join(" ", read.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        var registered = (await host.ScalarAsync<string>($"""
            SELECT string_agg(p.full_name || ';' || r.kind, ';') FROM registrations r JOIN people p ON p.id = r.person_id
            WHERE r.account_id = {account} AND r.valid_from <= '2026-11-20' AND (r.valid_to IS NULL OR r.valid_to > '2026-11-20')
            """)).Split(';').Chunk(2).Select(x => (Name: x[0], Kind: x[1])).ToList();
        int permanent = registered.Count(r => r.Kind == "1"), temporary = registered.Count - permanent;
        var names = registered.Select(r => r.Name).ToList();
        names.ShouldContain("Ёлкина Мария Петровна");
        names.ShouldNotContain(leavingName);
        foreach (var name in names) words.ShouldContain(name);
        words.ShouldNotContain(leavingName);
        var owners = (await host.ScalarAsync<string>($"""
            SELECT coalesce(string_agg(p.full_name, ';'), '') FROM ownerships o JOIN people p ON p.id = o.person_id
            WHERE o.account_id = {account} AND o.valid_from <= '2026-11-20' AND (o.valid_to IS NULL OR o.valid_to > '2026-11-20')
            """)).Split(';', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in owners) words.ShouldContain(name + " — доля");
        // Exactly these people: the table has one numbered row per registered person.
        words.ShouldContain($"по месту жительства — {permanent}, по месту пребывания — {temporary}");
    }

    [Fact]
    public async Task The_desk_api_refuses_bad_input_in_russian_keeps_other_duties_out_and_journals_a_refusal()
    {
        var ct = TestContext.Current.CancellationToken;
        long account = await host.ScalarAsync<long>("SELECT min(a.id) FROM personal_accounts a WHERE a.closed_on IS NULL");
        long registration = await host.ScalarAsync<long>($"SELECT min(id) FROM registrations WHERE valid_to IS NULL AND kind = 1");
        var desk = await host.ClientAsync(Roles.PassportOfficer);

        // A stay without its term, a day before the account opened: 400 with the messages by field, nothing saved.
        long people = await host.ScalarAsync<long>("SELECT count(*) FROM registrations");
        var bad = await WebHost.JsonAsync(await desk.PostAsJsonAsync($"/api/v1/accounts/{account}/registrations",
            new { personId = 999_999_999, kind = "Temporary", from = "1900-01-01" }, ct), HttpStatusCode.BadRequest);
        bad.GetProperty("errors").GetProperty("personId")[0].GetString().ShouldBe("Гражданин №999999999 не найден");
        bad.GetProperty("errors").GetProperty("validTo")[0].GetString().ShouldBe("Регистрация по месту пребывания имеет срок: укажите дату окончания");
        (await host.ScalarAsync<long>("SELECT count(*) FROM registrations")).ShouldBe(people);
        var garbage = await desk.PostAsync($"/api/v1/accounts/{account}/registrations", new StringContent("{\"kind\": 7", System.Text.Encoding.UTF8, "application/json"), ct);
        garbage.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await desk.PostAsJsonAsync("/api/v1/registrations/999999999/deregister", new { on = "2026-11-01", reason = "MovedOut" }, ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var early = await WebHost.JsonAsync(await desk.PostAsJsonAsync($"/api/v1/registrations/{registration}/deregister",
            new { on = "1900-01-01", reason = "MovedOut" }, ct), HttpStatusCode.BadRequest);
        early.GetProperty("errors").GetProperty("on")[0].GetString()!.ShouldStartWith("Дата снятия с учёта должна быть позже даты регистрации");

        // Another duty may read, not register or issue.
        var manager = await host.ClientAsync(Roles.AccountManager);
        (await manager.PostAsJsonAsync($"/api/v1/accounts/{account}/documents", new { kind = "HouseBookExtract", requester = "Иванов", basis = "OwnData" }, ct))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // A document without the requester's identity document is refused in Russian; a refusal is journaled without a number.
        var noDocument = await WebHost.JsonAsync(await desk.PostAsJsonAsync($"/api/v1/accounts/{account}/documents",
            new { kind = "DebtStatus", requester = "Иванов И. И.", basis = "OwnData" }, ct), HttpStatusCode.BadRequest);
        noDocument.GetProperty("errors").GetProperty("requesterDocument")[0].GetString().ShouldBe("Укажите документ, удостоверяющий личность заявителя (проверен при выдаче)");
        var refused = await WebHost.JsonAsync(await desk.PostAsJsonAsync($"/api/v1/accounts/{account}/documents",
            new { kind = "HouseBookExtract", requester = "Соседов С. С.", basis = "OwnData", refusal = "заявитель не собственник и не зарегистрирован в помещении" }, ct), HttpStatusCode.OK);
        refused.GetProperty("number").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        long refusal = refused.GetProperty("id").GetInt64();
        (await desk.GetAsync($"/api/v1/documents/{refusal}/pdf", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var journal = await WebHost.JsonAsync(await desk.GetAsync($"/api/v1/documents?accountId={account}", ct), HttpStatusCode.OK);
        journal.EnumerateArray().ShouldContain(d => d.GetProperty("id").GetInt64() == refusal && d.GetProperty("refusal").GetString() == "заявитель не собственник и не зарегистрирован в помещении");
    }

    private static async Task Fill(IPage page, params (string TestId, string Value)[] fields)
    {
        foreach (var (testId, value) in fields)
        {
            var input = OperatorJourneyTests.Input(page, testId);
            await input.FillAsync(value);
            await input.PressAsync("Tab");
        }
    }
}
