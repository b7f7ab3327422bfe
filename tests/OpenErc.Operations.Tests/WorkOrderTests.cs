using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Core.Quality;
using OpenErc.Operations.Cabinet;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>Work orders and requests through their states (passport-and-dispatch.md §8), acts of check and incidents; answer deadlines in working days.</summary>
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

    private static OpenErc.Core.Tariffs.Service Communal(string code, string name, OpenErc.Core.Tariffs.Resource resource, string unit) =>
        new() { Code = code, Name = name, Kind = OpenErc.Core.Tariffs.ServiceKind.Communal, Resource = resource, Unit = unit };

    [Fact]
    public async Task A_work_order_for_a_request_goes_through_its_states_and_is_overdue_after_its_deadline()
    {
        var firm = new Organisation { Kind = OrganisationKind.ManagementCompany, Name = "ООО «Ремонт»", Inn = "7736050003" };
        var (building, account) = await AccountAsync("Новоград", 7001, firm);
        long executor = firm.Id;
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync(Ct);
        var now = database.Clock.Now;
        var (request, _) = await CitizenRequests.AddAsync(conn, account, null, RequestKind.Request, "Засор канализации в подъезде", "citizen", database.Clock.Now, Ct);

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
        // The accepted order answers its request (§8 «InWork → Answered»).
        var answered = (await CitizenRequests.ListAsync(conn, [account], ct: Ct)).Single();
        (answered.Status, answered.Answer).ShouldBe((RequestStatus.Answered, $"Работы по наряду №{id} выполнены: Заменён участок трубы"));
        (await CitizenRequests.HistoryAsync(conn, [request!.Value], Ct))[request.Value].Select(e => e.Status)
            .ShouldBe([RequestStatus.Registered, RequestStatus.InWork, RequestStatus.Answered]);
    }

    [Fact]
    public void Working_days_skip_the_federal_holidays_and_the_configured_ones_and_count_a_working_weekend()
    {
        var clock = database.Clock;
        // Wednesday 30.12.2026: 31.12 is the first working day, 1–8 January are holidays (ТК РФ ст. 112), 9–10 a weekend,
        // so the third working day is Tuesday 12.01.2027 and the answer is due at its end.
        var wednesday = clock.FromLocal(new DateTime(2026, 12, 30, 10, 0, 0));
        var deadlines = new RequestDeadlines();
        clock.DateOf(deadlines.DueAt(RequestKind.Complaint, wednesday, clock)).ShouldBe(new DateOnly(2027, 1, 13));
        // A region's own holiday on Monday 11.01 moves it a day on; a working Saturday 09.01 brings it back.
        var regional = new WorkCalendar { ExtraHolidays = [new DateOnly(2027, 1, 11)] };
        RegionClock With(WorkCalendar calendar) => new(clock.Time, clock.Zone, calendar);
        clock.DateOf(deadlines.DueAt(RequestKind.Complaint, wednesday, With(regional))).ShouldBe(new DateOnly(2027, 1, 14));
        clock.DateOf(deadlines.DueAt(RequestKind.Complaint, wednesday, With(regional with { WorkingWeekends = [new DateOnly(2027, 1, 9)] })))
            .ShouldBe(new DateOnly(2027, 1, 13));
        clock.Calendar.IsWorkingDay(new DateOnly(2026, 11, 4)).ShouldBeFalse();
        clock.Calendar.IsWorkingDay(new DateOnly(2026, 11, 5)).ShouldBeTrue();
        // Counted the other way: 31.12 and 11–12.01 are the working days after 30.12 up to 12.01; 10 of the 14 days are off.
        clock.Calendar.WorkingDaysAfter(new DateOnly(2026, 12, 30), new DateOnly(2027, 1, 12)).ShouldBe(3);
        Enumerable.Range(0, 14).Count(i => !clock.Calendar.IsWorkingDay(new DateOnly(2026, 12, 30).AddDays(i))).ShouldBe(10);
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
    public async Task An_act_of_check_leaves_a_confirmed_report_to_its_incident_and_answers_an_unconfirmed_one()
    {
        var heat = Communal("heating_check", "Отопление", OpenErc.Core.Tariffs.Resource.Heat, "Гкал");
        var (building, account) = await AccountAsync("Проверочный", 7301, heat);
        long service = heat.Id;
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync(Ct);
        var clock = database.Clock;
        var (cold, _) = await CitizenRequests.AddAsync(conn, account, null, RequestKind.Complaint, "В квартире +15 °C", "citizen", database.Clock.Now, Ct);
        var (fine, _) = await CitizenRequests.AddAsync(conn, account, null, RequestKind.Complaint, "Кажется, батареи холодные", "citizen", database.Clock.Now, Ct);

        foreach (var request in new[] { cold!.Value, fine!.Value })
            (await CitizenRequests.MoveAsync(conn, request, RequestStatus.CheckScheduled, null, "dispatcher", clock.Now, clock.Now.AddHours(2), ct: Ct)).ShouldBeNull();

        var (none, errors) = await QualityChecks.AddAsync(conn, cold, building, null, null, clock.Now.AddHours(1), " ", "", null, null, "dispatcher", clock, Ct);
        none.ShouldBeNull();
        errors.Keys.Order().ShouldBe(["checkedAt", "measurements", "participants", "result", "serviceId"]);

        var at = clock.Now.AddHours(-2);
        var (confirmed, _) = await QualityChecks.AddAsync(conn, cold, building, null, service, at, "мастер УК Иванов; потребитель Петрова",
            "температура в комнате +15 °C в 10:40", "термометр ТЦ-1 № 123, поверен 01.09.2026", CheckResult.Confirmed, "dispatcher", clock, Ct);
        var (rejected, _) = await QualityChecks.AddAsync(conn, fine, building, null, service, at, "мастер УК Иванов; потребитель Петрова",
            "температура в комнате +21 °C в 11:10", null, CheckResult.NotConfirmed, "dispatcher", clock, Ct);
        var requests = await CitizenRequests.ListAsync(conn, [account], ct: Ct);
        // A confirmed violation waits for its incident; an unconfirmed one is answered with the act.
        requests.Single(r => r.Id == cold).Status.ShouldBe(RequestStatus.CheckScheduled);
        var answered = requests.Single(r => r.Id == fine);
        answered.Status.ShouldBe(RequestStatus.Answered);
        answered.Answer.ShouldBe($"Проверка {clock.Local(at):dd.MM.yyyy HH:mm}: нарушение не подтверждено (акт проверки № {rejected}).");
        var acts = await QualityChecks.ListAsync(conn, [cold.Value, fine.Value], ct: Ct);
        acts.Select(a => (a.Id, a.Result, a.Service)).Order().ShouldBe([(confirmed!.Value, CheckResult.Confirmed, "Отопление"), (rejected!.Value, CheckResult.NotConfirmed, "Отопление")]);
    }

    [Fact]
    public async Task A_report_goes_from_its_check_to_an_incident_whose_restoration_answers_it_and_the_citizen_closes_or_disputes_the_answer()
    {
        var water = Communal("cold_water_dispatch", "Холодное водоснабжение", OpenErc.Core.Tariffs.Resource.ColdWater, "м³");
        var (building, account) = await AccountAsync("Диспетчерский", 7401, water);
        var clock = database.Clock;
        var registered = clock.FromLocal(new DateTime(2026, 11, 19, 9, 15, 0));
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync(Ct);
        var (first, _) = await CitizenRequests.AddAsync(conn, account, null, RequestKind.Complaint, "Нет холодной воды", "citizen", registered, Ct);
        var (second, _) = await CitizenRequests.AddAsync(conn, account, null, RequestKind.Complaint, "И у соседей нет воды", "citizen", registered.AddMinutes(20), Ct);

        // The state machine refuses a move out of order, and each move needs its data.
        (await CitizenRequests.MoveAsync(conn, first!.Value, RequestStatus.Closed, null, "dispatcher", clock.Now, ct: Ct))
            .ShouldBe($"Обращение №{first} в состоянии «Зарегистрировано»: «Закрыто» невозможно");
        (await CitizenRequests.MoveAsync(conn, first.Value, RequestStatus.CheckScheduled, null, "dispatcher", clock.Now, ct: Ct))
            .ShouldBe("Укажите согласованное время проверки");
        (await CitizenRequests.MoveAsync(conn, first.Value, RequestStatus.Answered, " ", "dispatcher", clock.Now, ct: Ct)).ShouldBe("Напишите ответ гражданину");
        (await CitizenRequests.MoveAsync(conn, first.Value, RequestStatus.CheckScheduled, null, "dispatcher", clock.Now, registered.AddHours(2), ct: Ct)).ShouldBeNull();
        var scheduled = (await CitizenRequests.ListAsync(conn, [account], ct: Ct)).Single(r => r.Id == first);
        (scheduled.CheckOverdueAt(registered.AddHours(1)), scheduled.CheckOverdueAt(registered.AddHours(3))).ShouldBe((false, true));

        // The incident opened from the report starts when the report was registered (п. 111 «б»); the second report is linked to it.
        long incidentId;
        await using (var db = database.CreateContext())
        {
            var incident = await DispatchIncidents.DraftForRequestAsync(db, first.Value, clock, Ct);
            (incident.BuildingId, incident.StartedAt, incident.Status).ShouldBe((building, new DateTime(2026, 11, 19, 9, 15, 0), IncidentStatus.Open));
            incident.ServiceId = water.Id;
            incidentId = await DispatchIncidents.OpenForRequestAsync(db, first.Value, incident, "dispatcher", clock.Now, Ct);
        }
        await using (var db = database.CreateContext())
        {
            await DispatchIncidents.LinkAsync(db, second!.Value, incidentId, "dispatcher", clock.Now, Ct);
            var early = await Should.ThrowAsync<Registry.RegistryValidationException>(() =>
                DispatchIncidents.RestoreAsync(db, incidentId, new DateTime(2026, 11, 19, 8, 0, 0), "dispatcher", clock, Ct));
            early.Errors["EndedAt"].ShouldBe(["Окончание нарушения должно быть позже начала"]);
            (await Should.ThrowAsync<Registry.RegistryValidationException>(() => DispatchIncidents.VerifyAsync(db, incidentId, "engineer", Ct)))
                .Errors["Verified"].ShouldBe(["Проверить можно устранённое нарушение; это — «Не устранено»"]);
        }
        (await CitizenRequests.ListAsync(conn, [account], ct: Ct)).Select(r => (r.Status, r.IncidentId))
            .ShouldBe([(RequestStatus.LinkedToIncident, incidentId), (RequestStatus.LinkedToIncident, incidentId)]);

        // Restoration fixes the end and answers both requests; the verification follows.
        await using (var db = database.CreateContext())
            await DispatchIncidents.RestoreAsync(db, incidentId, new DateTime(2026, 11, 19, 21, 40, 0), "dispatcher", clock, Ct);
        await using (var db = database.CreateContext())
        {
            await DispatchIncidents.VerifyAsync(db, incidentId, "engineer", Ct);
            var stored = await db.Incidents.FindAsync([incidentId], Ct);
            (stored!.EndedAt, stored.Status).ShouldBe((new DateTime(2026, 11, 19, 21, 40, 0), IncidentStatus.Verified));
        }
        var answers = await CitizenRequests.ListAsync(conn, [account], ct: Ct);
        answers.ShouldAllBe(r => r.Status == RequestStatus.Answered);
        answers[0].Answer.ShouldBe("Нарушение (холодное водоснабжение, с 19.11.2026 09:15) устранено 19.11.2026 21:40. "
                                   + "Плата за время нарушения снижается по приложению 1 к ПП 354 (в расчёте месяца или перерасчётом).");

        // The citizen closes one answer and disputes the other: it is registered again, its answer kept in the history only.
        var deadlines = new RequestDeadlines();
        (await CitizenRequests.ReplyAsync(conn, answers.Single(r => r.Id == first), true, null, "citizen", deadlines, clock.Now, Ct)).ShouldBeNull();
        var other = answers.Single(r => r.Id == second);
        (await CitizenRequests.ReplyAsync(conn, other, false, " ", "citizen", deadlines, clock.Now, Ct)).ShouldBe("Напишите, с чем вы не согласны");
        (await CitizenRequests.ReplyAsync(conn, other, false, "Вода пошла только утром 20.11", "citizen", deadlines, clock.Now.AddDays(31), Ct))
            .ShouldBe("Ответ можно оспорить в течение 30 дней; подайте новое обращение");
        (await CitizenRequests.ReplyAsync(conn, other, false, "Вода пошла только утром 20.11", "citizen", deadlines, clock.Now, Ct)).ShouldBeNull();
        var final = await CitizenRequests.ListAsync(conn, [account], ct: Ct);
        final.Select(r => (r.Id, r.Status, r.Answer)).ShouldBe([(second.Value, RequestStatus.Registered, (string?)null), (first.Value, RequestStatus.Closed, answers[1].Answer)]);
        var history = (await CitizenRequests.HistoryAsync(conn, [second.Value], Ct))[second.Value].ToList();
        history.Select(e => e.Status).ShouldBe([RequestStatus.Registered, RequestStatus.LinkedToIncident, RequestStatus.Answered, RequestStatus.Registered]);
        history[^1].Note.ShouldBe("Вода пошла только утром 20.11");

        // A cancelled incident answers its linked requests with the reason and is ignored by the run.
        await using (var db = database.CreateContext())
        {
            var duplicate = await DispatchIncidents.DraftForRequestAsync(db, second.Value, clock, Ct);
            duplicate.ServiceId = water.Id;
            long id = await DispatchIncidents.OpenForRequestAsync(db, second.Value, duplicate, "dispatcher", clock.Now, Ct);
            await DispatchIncidents.CancelAsync(db, id, "повтор нарушения №" + incidentId, "dispatcher", clock.Now, Ct);
        }
        var cancelled = (await CitizenRequests.ListAsync(conn, [account], ct: Ct)).Single(r => r.Id == second);
        (cancelled.Status, cancelled.Answer).ShouldBe((RequestStatus.Answered, $"Нарушение не подтверждено: повтор нарушения №{incidentId}."));
    }
}
