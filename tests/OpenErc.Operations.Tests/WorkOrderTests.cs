using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Operations.Cabinet;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>Work orders through their states, overdue by their deadline; requests' answer deadlines in working days.</summary>
public sealed class WorkOrderTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A building of the town with one flat and its account; <paramref name="extra"/> is saved with the town (an organisation, a service).</summary>
    private async Task<(long Building, long Account)> AccountAsync(string town, int serial, params object[] extra)
    {
        await using var db = database.CreateContext();
        db.Actor = "тест";
        db.Reason = "тест";
        var municipality = new Municipality { Name = town };
        db.Add(municipality);
        db.AddRange(extra);
        await db.SaveChangesAsync(Ct);
        var b = new Building { MunicipalityId = municipality.Id, Region = "Новоградская область", Settlement = "г. " + town, Street = "ул. Мира", House = "7" };
        db.Add(b);
        await db.SaveChangesAsync(Ct);
        var premise = new Premise { BuildingId = b.Id, Number = "3", TotalArea = 40m };
        db.Add(premise);
        await db.SaveChangesAsync(Ct);
        var a = new PersonalAccount { Number = AccountNumber.Create(serial), PremiseId = premise.Id, OpenedOn = new DateOnly(2025, 1, 1) };
        db.Add(a);
        await db.SaveChangesAsync(Ct);
        return (b.Id, a.Id);
    }

    [Fact]
    public async Task A_work_order_for_a_request_goes_through_its_states_and_is_overdue_after_its_deadline()
    {
        var firm = new Organisation { Kind = OrganisationKind.ManagementCompany, Name = "ООО «Ремонт»", Inn = "7736050003" };
        var (building, account) = await AccountAsync("Новоград", 7001, firm);
        long executor = firm.Id;
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync(Ct);
        var now = database.Clock.Now;
        var (request, _) = await CitizenRequests.AddAsync(conn, account, null, RequestKind.Request, "Засор канализации в подъезде", "citizen", Ct);

        var (none, errors) = await WorkOrders.AddAsync(conn, request, building, null, null, " ", now.AddHours(-1), "dispatcher", now, Ct);
        none.ShouldBeNull();
        errors.Keys.Order().ShouldBe(["dueAt", "executorId", "work"]);
        errors["dueAt"].ShouldBe(["Срок выполнения уже прошёл"]);

        var (id, _) = await WorkOrders.AddAsync(conn, request, building, null, executor, "Прочистить стояк", now.AddHours(2), "dispatcher", now, Ct);
        var order = (await WorkOrders.ListAsync(conn, ct: Ct)).Single(o => o.Id == id);
        (order.State, order.Executor, order.OverdueAt(now), order.OverdueAt(now.AddHours(3))).ShouldBe((WorkOrderState.Assigned, "ООО «Ремонт»", false, true));
        (await CitizenRequests.ListAsync(conn, [account], ct: Ct)).Single().Status.ShouldBe(RequestStatus.InWork);

        (await WorkOrders.MoveAsync(conn, id!.Value, WorkOrderState.Closed, null, "dispatcher", now, Ct)).ShouldBe("Наряд №" + id + " в состоянии «Выдан»: «Принят» невозможно");
        (await WorkOrders.MoveAsync(conn, id.Value, WorkOrderState.Done, null, "executor", now, Ct)).ShouldBe("Опишите результат выполнения");
        (await WorkOrders.MoveAsync(conn, id.Value, WorkOrderState.Done, "Стояк прочищен", "executor", now.AddHours(1), Ct)).ShouldBeNull();
        (await WorkOrders.MoveAsync(conn, id.Value, WorkOrderState.Returned, "Течь осталась", "dispatcher", now, Ct)).ShouldBeNull();
        (await WorkOrders.MoveAsync(conn, id.Value, WorkOrderState.Done, "Заменён участок трубы", "executor", now.AddHours(3), Ct)).ShouldBeNull();
        (await WorkOrders.MoveAsync(conn, id.Value, WorkOrderState.Closed, null, "dispatcher", now, Ct)).ShouldBeNull();
        (await WorkOrders.ListAsync(conn, ct: Ct)).ShouldNotContain(o => o.Id == id);
        var closed = (await WorkOrders.ListAsync(conn, all: true, ct: Ct)).Single(o => o.Id == id);
        (closed.State, closed.Result, closed.OverdueAt(now.AddDays(10))).ShouldBe((WorkOrderState.Closed, "Заменён участок трубы", false));
    }

    [Fact]
    public void A_complaint_is_due_in_three_working_days_a_request_in_two_hours()
    {
        var clock = database.Clock; // Friday 20.11.2026 in Moscow
        var friday = clock.FromLocal(new DateTime(2026, 11, 20, 15, 30, 0));
        var deadlines = new RequestDeadlines();
        clock.Local(deadlines.DueAt(RequestKind.Complaint, friday, clock)).ShouldBe(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.FromHours(3)));
        clock.Local(deadlines.DueAt(RequestKind.Request, friday, clock)).ShouldBe(new DateTimeOffset(2026, 11, 20, 17, 30, 0, TimeSpan.FromHours(3)));
        clock.Local(deadlines.DueAt(RequestKind.Question, friday, clock)).ShouldBe(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.FromHours(3)));
    }

    [Fact]
    public async Task A_planned_outage_notice_reaches_the_buildings_announcements_and_each_payer_address_once()
    {
        long[] buildings = new long[2];
        long service;
        await using (var db = database.CreateContext())
        {
            db.Actor = "тест";
            db.Reason = "тест";
            var town = new Municipality { Name = "Заречный" };
            var water = new OpenErc.Core.Tariffs.Service { Code = "cold_water_n", Name = "Холодное водоснабжение", Kind = OpenErc.Core.Tariffs.ServiceKind.Communal,
                Resource = OpenErc.Core.Tariffs.Resource.ColdWater, Unit = "м³" };
            db.AddRange(town, water);
            await db.SaveChangesAsync(Ct);
            service = water.Id;
            int serial = 7100;
            for (int b = 0; b < 2; b++)
            {
                var building = new Building { MunicipalityId = town.Id, Region = "Новоградская область", Settlement = "г. Заречный", Street = "ул. Речная", House = (b + 1).ToString() };
                db.Add(building);
                await db.SaveChangesAsync(Ct);
                buildings[b] = building.Id;
                for (int f = 1; f <= 2; f++)
                {
                    var premise = new Premise { BuildingId = building.Id, Number = f.ToString(), TotalArea = 40m };
                    // The same person pays for two flats (one address once); the other flat's payer has another address.
                    var payer = new OpenErc.Core.Residents.Person { LastName = "Плательщик", FirstName = $"{b}{f}", Email = f == 1 ? "Same@Example.ru" : $"p{b}@example.ru" };
                    db.AddRange(premise, payer);
                    await db.SaveChangesAsync(Ct);
                    db.Add(new PersonalAccount { Number = AccountNumber.Create(serial++), PremiseId = premise.Id, OpenedOn = new DateOnly(2025, 1, 1), PayerPersonId = payer.Id });
                    await db.SaveChangesAsync(Ct);
                }
            }
        }
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync(Ct);
        var clock = database.Clock;
        var start = clock.FromLocal(new DateTime(2026, 12, 7, 9, 0, 0));
        var end = clock.FromLocal(new DateTime(2026, 12, 7, 18, 0, 0));

        var (none, errors) = await OutageNotices.AddAsync(conn, service, [], end, start, " ", null, "dispatcher", clock, Ct);
        none.ShouldBeNull();
        errors.Keys.Order().ShouldBe(["buildingIds", "endsAt", "reason"]);

        var (id, _) = await OutageNotices.AddAsync(conn, service, buildings, start, end, "замена задвижки", "+7 (343) 000-00-00", "dispatcher", clock, Ct);
        string text = "Плановое отключение: холодное водоснабжение с 07.12.2026 09:00 до 07.12.2026 18:00. Причина: замена задвижки. " +
                      "Телефон диспетчерской службы: +7 (343) 000-00-00.";
        (await Sql.ScalarAsync<long>(database.ConnectionString,
            $"SELECT count(*) FROM announcements WHERE building_id IN ({buildings[0]}, {buildings[1]}) AND valid_from = '2026-11-20' AND valid_to = '2026-12-08' AND text = '{text}'"))
            .ShouldBe(2);
        (await Sql.ScalarAsync<string>(database.ConnectionString, $"SELECT string_agg(email, ',' ORDER BY email) FROM outage_notice_letters WHERE notice_id = {id}"))
            .ShouldBe("p0@example.ru,p1@example.ru,same@example.ru");

        var folder = Directory.CreateTempSubdirectory("notices").FullName;
        var sender = new OpenErc.Operations.Mail.SmtpMailSender(new OpenErc.Operations.Mail.MailSettings { PickupDirectory = folder });
        (await OutageNotices.SendQueuedAsync(database.ConnectionString, sender, "erc@example.ru", clock, ct: Ct)).ShouldBe(3);
        (await OutageNotices.SendQueuedAsync(database.ConnectionString, sender, "erc@example.ru", clock, ct: Ct)).ShouldBe(0);
        Directory.GetFiles(folder, "*.eml").Length.ShouldBe(3);
        var notice = (await OutageNotices.ListAsync(conn, ct: Ct)).Single(n => n.Id == id);
        (notice.Buildings, notice.Letters, notice.Sent, notice.Text).ShouldBe((2, 3, 3, text));
    }

    [Fact]
    public async Task An_act_of_check_puts_a_confirmed_report_in_work_and_answers_an_unconfirmed_one()
    {
        var heat = new OpenErc.Core.Tariffs.Service { Code = "heating_check", Name = "Отопление", Kind = OpenErc.Core.Tariffs.ServiceKind.Communal,
            Resource = OpenErc.Core.Tariffs.Resource.Heat, Unit = "Гкал" };
        var (building, account) = await AccountAsync("Проверочный", 7301, heat);
        long service = heat.Id;
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync(Ct);
        var clock = database.Clock;
        var (cold, _) = await CitizenRequests.AddAsync(conn, account, null, RequestKind.Complaint, "В квартире +15 °C", "citizen", Ct);
        var (fine, _) = await CitizenRequests.AddAsync(conn, account, null, RequestKind.Complaint, "Кажется, батареи холодные", "citizen", Ct);

        var (none, errors) = await QualityChecks.AddAsync(conn, cold, building, null, null, clock.Now.AddHours(1), " ", "", null, null, "dispatcher", clock, Ct);
        none.ShouldBeNull();
        errors.Keys.Order().ShouldBe(["checkedAt", "measurements", "participants", "result", "serviceId"]);

        var at = clock.Now.AddHours(-2);
        var (confirmed, _) = await QualityChecks.AddAsync(conn, cold, building, null, service, at, "мастер УК Иванов; потребитель Петрова",
            "температура в комнате +15 °C в 10:40", "термометр ТЦ-1 № 123, поверен 01.09.2026", CheckResult.Confirmed, "dispatcher", clock, Ct);
        var (rejected, _) = await QualityChecks.AddAsync(conn, fine, building, null, service, at, "мастер УК Иванов; потребитель Петрова",
            "температура в комнате +21 °C в 11:10", null, CheckResult.NotConfirmed, "dispatcher", clock, Ct);
        var requests = await CitizenRequests.ListAsync(conn, [account], ct: Ct);
        requests.Single(r => r.Id == cold).Status.ShouldBe(RequestStatus.InWork);
        var answered = requests.Single(r => r.Id == fine);
        answered.Status.ShouldBe(RequestStatus.Done);
        answered.Answer.ShouldBe($"Проверка {clock.Local(at):dd.MM.yyyy HH:mm}: нарушение не подтверждено (акт проверки № {rejected}).");
        var acts = await QualityChecks.ListAsync(conn, [cold!.Value, fine!.Value], ct: Ct);
        acts.Select(a => (a.Id, a.Result, a.Service)).Order().ShouldBe([(confirmed!.Value, CheckResult.Confirmed, "Отопление"), (rejected!.Value, CheckResult.NotConfirmed, "Отопление")]);
    }
}
