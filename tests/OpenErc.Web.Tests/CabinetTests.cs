using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenErc.Operations.Cabinet;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The citizen cabinet's API: readings and their rules, requests answered by the dispatcher, notifications, and nothing of other accounts.</summary>
public sealed class CabinetTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An open account with a one-zone individual meter that has at least two readings.</summary>
    internal static async Task<(long Account, string Number, long Meter, string Serial, decimal Last)> MeteredAccountAsync(WebHost host, int skip = 0)
    {
        await using var db = host.CreateContext();
        var row = await (
            from m in db.Meters
            where m.PremiseId != null && m.Zones == 1 && m.RemovedOn == null && db.MeterReadings.Count(r => r.MeterId == m.Id) >= 2
            join a in db.Accounts on m.PremiseId equals a.PremiseId
            where a.ClosedOn == null
            orderby a.Id, m.Id
            select new { Account = a.Id, a.Number, Meter = m.Id, m.SerialNumber }).Skip(skip).FirstAsync(Ct);
        var last = await db.MeterReadings.Where(r => r.MeterId == row.Meter).OrderByDescending(r => r.ReadOn).Select(r => r.Value).FirstAsync(Ct);
        return (row.Account, row.Number, row.Meter, row.SerialNumber, last);
    }

    [Fact]
    public async Task A_reading_below_the_previous_or_of_another_meter_is_refused_a_jump_waits_for_confirmation_and_a_good_one_is_in_the_history()
    {
        var (account, number, meter, _, last) = await MeteredAccountAsync(host);
        var (citizen, _, login) = await host.CitizenAsync(account);
        int readings = await host.ScalarAsync<int>($"SELECT count(*)::int FROM meter_readings WHERE meter_id = {meter}");
        var path = $"/api/v1/me/accounts/{number}/readings";

        var below = await WebHost.JsonAsync(await citizen.PostAsJsonAsync(path, new { meterId = meter, value = last - 1 }, Ct), HttpStatusCode.BadRequest);
        below.GetProperty("errors").GetProperty("value")[0].GetString()!.ShouldStartWith($"Показание {(last - 1).ToString("0.####", System.Globalization.CultureInfo.GetCultureInfo("ru-RU"))} меньше предыдущего");
        long foreign = await host.ScalarAsync<long>($"SELECT min(id) FROM meters WHERE id <> {meter} AND premise_id IS NOT NULL AND premise_id <> (SELECT premise_id FROM personal_accounts WHERE id = {account})");
        var other = await WebHost.JsonAsync(await citizen.PostAsJsonAsync(path, new { meterId = foreign, value = 1 }, Ct), HttpStatusCode.BadRequest);
        other.GetProperty("errors").GetProperty("value")[0].GetString().ShouldBe("Прибор учёта не относится к этому лицевому счёту");
        var noValue = await WebHost.JsonAsync(await citizen.PostAsJsonAsync(path, new { meterId = meter }, Ct), HttpStatusCode.BadRequest);
        noValue.GetProperty("errors").GetProperty("value")[0].GetString().ShouldBe("Введите показание");

        var jump = await WebHost.JsonAsync(await citizen.PostAsJsonAsync(path, new { meterId = meter, value = last + 5000 }, Ct), HttpStatusCode.Conflict);
        jump.GetProperty("detail").GetString()!.ShouldContain("больше обычного");
        jump.GetProperty("confirm").GetBoolean().ShouldBeTrue();
        (await host.ScalarAsync<int>($"SELECT count(*)::int FROM meter_readings WHERE meter_id = {meter}")).ShouldBe(readings);

        var saved = await WebHost.JsonAsync(await citizen.PostAsJsonAsync(path, new { meterId = meter, value = last + 5000, confirm = true }, Ct), HttpStatusCode.Created);
        saved.GetProperty("volume").GetDecimal().ShouldBe(5000m);
        var again = await WebHost.JsonAsync(await citizen.PostAsJsonAsync(path, new { meterId = meter, value = last + 5001, confirm = true }, Ct), HttpStatusCode.BadRequest);
        again.GetProperty("errors").GetProperty("value")[0].GetString()!.ShouldStartWith("Показание на ");

        var meters = await WebHost.JsonAsync(await citizen.GetAsync($"/api/v1/me/accounts/{number}/meters", Ct), HttpStatusCode.OK);
        var newest = meters.EnumerateArray().Single(m => m.GetProperty("id").GetInt64() == meter).GetProperty("readings")[0];
        newest.GetProperty("value").GetDecimal().ShouldBe(last + 5000);
        newest.GetProperty("source").GetString().ShouldBe("Cabinet");
        (await host.ScalarAsync<string>($"SELECT entered_by FROM meter_readings WHERE meter_id = {meter} ORDER BY id DESC LIMIT 1")).ShouldBe(login);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM audit_entries WHERE actor = '{login}'")).ShouldBeGreaterThan(0);

        // Another account's number: refused whatever the endpoint.
        long stranger = await host.ScalarAsync<long>($"SELECT min(id) FROM personal_accounts WHERE id <> {account}");
        var strangerNumber = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {stranger}");
        foreach (var endpoint in new[] { "meters", "charges", "balance", "receipts", "consumption" })
            (await citizen.GetAsync($"/api/v1/me/accounts/{strangerNumber}/{endpoint}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, endpoint);
        (await citizen.GetAsync($"/api/v1/accounts/{account}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Readings_are_taken_only_within_the_window_of_the_month()
    {
        var (account, _, meter, _, last) = await MeteredAccountAsync(host, skip: 1);
        await using var db = host.CreateContext();
        var rules = new ReadingRules(WindowFromDay: 15, WindowToDay: 25);
        var early = await ReadingSubmission.SubmitAsync(db, account, meter, 1, last + 1, false, new DateOnly(2026, 11, 14), host.Clock.Now, rules, "тест", Ct);
        early.Errors.ShouldBe(["Показания принимаются с 15 по 25 число месяца"]);
        var late = await ReadingSubmission.SubmitAsync(db, account, meter, 1, last + 1, false, new DateOnly(2026, 11, 26), host.Clock.Now, rules, "тест", Ct);
        late.Saved.ShouldBeFalse();
        // The window ends with a short month's last day.
        rules.InWindow(new DateOnly(2026, 2, 28)).ShouldBeFalse();
        new ReadingRules(20, 31).InWindow(new DateOnly(2026, 2, 28)).ShouldBeTrue();
        (await host.ScalarAsync<int>($"SELECT count(*)::int FROM meter_readings WHERE meter_id = {meter} AND read_on >= '2026-11-14' AND entered_by = 'тест'")).ShouldBe(0);
    }

    [Fact]
    public async Task A_complaint_is_answered_by_the_dispatcher_and_the_citizen_sees_the_answer_and_a_notice()
    {
        long account = await host.ScalarAsync<long>("SELECT max(id) FROM personal_accounts");
        var number = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {account}");
        var (citizen, _, _) = await host.CitizenAsync(account);

        var empty = await WebHost.JsonAsync(await citizen.PostAsJsonAsync("/api/v1/me/requests", new { accountNumber = number, kind = "Complaint", text = " " }, Ct),
            HttpStatusCode.BadRequest);
        empty.GetProperty("errors").GetProperty("text")[0].GetString().ShouldBe("Опишите, что случилось");
        var created = await WebHost.JsonAsync(await citizen.PostAsJsonAsync("/api/v1/me/requests",
            new { accountNumber = number, kind = "Complaint", text = "Нет горячей воды третий день" }, Ct), HttpStatusCode.Created);
        long id = created.GetProperty("id").GetInt64();

        using var dispatcher = await host.ClientAsync(Web.Security.Roles.Dispatcher);
        var open = await WebHost.JsonAsync(await dispatcher.GetAsync("/api/v1/requests?status=Registered", Ct), HttpStatusCode.OK);
        open.EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == id).GetProperty("accountNumber").GetString().ShouldBe(number);
        var noAnswer = await WebHost.JsonAsync(await dispatcher.PostAsJsonAsync($"/api/v1/requests/{id}/status", new { status = "Answered" }, Ct), HttpStatusCode.BadRequest);
        noAnswer.GetProperty("errors").GetProperty("status")[0].GetString().ShouldBe("Напишите ответ гражданину");
        var closed = await WebHost.JsonAsync(await dispatcher.PostAsJsonAsync($"/api/v1/requests/{id}/status", new { status = "Closed" }, Ct), HttpStatusCode.BadRequest);
        closed.GetProperty("errors").GetProperty("status")[0].GetString().ShouldBe($"Обращение №{id} в состоянии «Зарегистрировано»: «Закрыто» невозможно");
        (await dispatcher.PostAsJsonAsync($"/api/v1/requests/{id}/status",
                new { status = "Answered", text = "Подача восстановлена, перерасчёт будет в следующем месяце" }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await citizen.GetAsync("/api/v1/requests", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var mine = await WebHost.JsonAsync(await citizen.GetAsync("/api/v1/me/requests", Ct), HttpStatusCode.OK);
        var answered = mine.EnumerateArray().Single();
        answered.GetProperty("status").GetString().ShouldBe("Answered");
        answered.GetProperty("answeredBy").GetString()!.ShouldStartWith("dispatcher-");
        var notices = await WebHost.JsonAsync(await citizen.GetAsync("/api/v1/me/notifications", Ct), HttpStatusCode.OK);
        notices.EnumerateArray().Select(n => n.GetProperty("text").GetString()).ShouldContain($"Обращение №{id}: дан ответ. Подача восстановлена, перерасчёт будет в следующем месяце");

        // The citizen disputes the answer: the request is registered again, with his reason in its history.
        var noReason = await WebHost.JsonAsync(await citizen.PostAsJsonAsync($"/api/v1/me/requests/{id}/reply", new { agree = false }, Ct), HttpStatusCode.BadRequest);
        noReason.GetProperty("errors").GetProperty("text")[0].GetString().ShouldBe("Напишите, с чем вы не согласны");
        (await citizen.PostAsJsonAsync($"/api/v1/me/requests/{id}/reply", new { agree = false, text = "Воды по-прежнему нет" }, Ct)).StatusCode
            .ShouldBe(HttpStatusCode.NoContent);
        (await citizen.PostAsJsonAsync($"/api/v1/me/requests/{id + 1000}/reply", new { agree = true }, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var history = await WebHost.JsonAsync(await dispatcher.GetAsync($"/api/v1/requests/{id}/history", Ct), HttpStatusCode.OK);
        history.EnumerateArray().Select(e => (e.GetProperty("status").GetString(), e.TryGetProperty("note", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null))
            .ShouldBe([("Registered", null), ("Answered", "Подача восстановлена, перерасчёт будет в следующем месяце"), ("Registered", "Воды по-прежнему нет")]);
    }
}
