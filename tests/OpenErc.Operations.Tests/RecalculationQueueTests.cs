using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>Automatic recalculation: a retroactive registry change queues its building, the queue is posted once.</summary>
public sealed class RecalculationQueueTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static BillingPeriod October => BillingTestRegion.October;
    private static BillingPeriod November => BillingTestRegion.November;

    private Task<string> RegionWithClosedOctoberAsync(string name) => BillingTestRegion.WithClosedOctoberAsync(cluster, name);

    private static Task<long> QueuedAsync(string cs) => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM recalculation_queue");

    private static Task<decimal> FreshAsync(string cs, long building, BillingPeriod month) => BillingTestRegion.FreshAsync(cs, building, month);

    [Fact]
    public async Task A_retroactive_change_of_residents_is_queued_and_posted_once_in_the_open_month()
    {
        var cs = await RegionWithClosedOctoberAsync("queue_residents");
        long account = await Sql.ScalarAsync<long>(cs, $"""
            SELECT min(l.account_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id
            WHERE s.code = 'cold_water' AND l.source = {(short)VolumeSource.Norm} AND l.service_month = '2026-10-01'
            """);
        long building = await Sql.ScalarAsync<long>(cs, $"SELECT min(building_id) FROM charge_line_details WHERE account_id = {account}");
        int residents = await Sql.ScalarAsync<int>(cs, $"SELECT count FROM resident_counts WHERE account_id = {account} AND valid_from <= '2026-10-01' AND (valid_to IS NULL OR valid_to > '2026-10-01')");
        (await QueuedAsync(cs)).ShouldBe(0);
        (await Recalculations.ProcessQueueAsync(cs, November, "тест", Clock, ct: Ct)).ShouldBe(new RecalculationQueueReport(0, 0, null));

        // A change dated in the open month (not charged yet) touches nothing posted: nothing is queued.
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock))
            await Residency.SetResidentCountAsync(db, account, residents + 1, new DateOnly(2026, 11, 10), "заявление", Ct);
        (await QueuedAsync(cs)).ShouldBe(0);

        // A change of a column the charges do not read queues nothing either.
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock))
        {
            var record = await db.ResidentCounts.SingleAsync(r => r.AccountId == account && r.ValidFrom <= new DateOnly(2026, 10, 1)
                && (r.ValidTo == null || r.ValidTo > new DateOnly(2026, 10, 1)), Ct);
            record.Basis = "уточнено основание";
            await db.SaveChangesAsync(Ct);
        }
        (await QueuedAsync(cs)).ShouldBe(0);

        // From 1 October: the building is queued from October, in the transaction of the change, by whom and why.
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock) { Actor = "паспортист", Reason = "акт о проживании" })
            await Residency.SetResidentCountAsync(db, account, residents + 2, new DateOnly(2026, 10, 1), "акт о проживании", Ct);
        var queued = (await Recalculations.QueueAsync(cs, Ct)).ShouldHaveSingleItem();
        queued.BuildingId.ShouldBe(building);
        queued.FromMonth.ShouldBe(October);
        queued.QueuedBy.ShouldBe("паспортист");
        queued.Reason.ShouldBe("Число проживающих: изменение с 01.10.2026 — акт о проживании");
        (await Recalculations.QueueStatusAsync(cs, November, Ct)).ShouldBe(new RecalculationQueueStatus(1, 0));

        decimal posted = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE building_id = {building} AND service_month = '2026-10-01'");
        decimal fresh = await FreshAsync(cs, building, October);
        fresh.ShouldBeGreaterThan(posted);

        var report = await Recalculations.ProcessQueueAsync(cs, November, "оператор", Clock, ct: Ct);
        report.Buildings.ShouldBe(1);
        report.Kept.ShouldBe(0);
        report.Total.ShouldBe(fresh - posted);
        report.Recalculation.ShouldNotBeNull().Failures.ShouldBeEmpty();
        (await QueuedAsync(cs)).ShouldBe(0);
        (await Sql.ScalarAsync<decimal>(cs, $"""
            SELECT sum(amount) FROM charge_line_details WHERE booking_month = '2026-11-01' AND service_month = '2026-10-01'
              AND kind = {(short)ChargeLineKind.Recalculation} AND building_id = {building} AND posted_by = 'оператор'
              AND reason = 'Число проживающих: изменение с 01.10.2026 — акт о проживании'
            """)).ShouldBe(fresh - posted);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details WHERE booking_month = '2026-11-01'")).ShouldBe(report.Lines);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE building_id = {building} AND service_month = '2026-10-01'")).ShouldBe(fresh);

        // Processing again posts nothing; so does an explicit recalculation of the building (the difference is settled).
        (await Recalculations.ProcessQueueAsync(cs, November, "оператор", Clock, ct: Ct)).Lines.ShouldBe(0);
        (await Recalculations.RecalculateAsync(cs, November, BillingScope.Buildings([building]), "проверка", "оператор", Clock, ct: Ct)).Lines.ShouldBe(0);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details WHERE booking_month = '2026-11-01'")).ShouldBe(report.Lines);

        // A queue row processed again (as if the transaction had been retried) posts nothing twice.
        await Sql.ExecAsync(cs, $"INSERT INTO recalculation_queue (building_id, from_month, reason, queued_by) VALUES ({building}, '2026-10-01', 'повтор', 'тест')");
        var retry = await Recalculations.ProcessQueueAsync(cs, November, "оператор", Clock, ct: Ct);
        retry.Buildings.ShouldBe(1);
        retry.Lines.ShouldBe(0);
        (await QueuedAsync(cs)).ShouldBe(0);

        // A change that fails to save queues nothing.
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock))
        {
            var record = await db.ResidentCounts.FirstAsync(r => r.AccountId == account, Ct);
            record.ValidFrom = new DateOnly(2026, 9, 1);
            record.AccountId = 999_999_999; // no such account: the foreign key refuses the save
            await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
        }
        (await QueuedAsync(cs)).ShouldBe(0);
    }

    [Fact]
    public async Task A_back_dated_deregistration_at_the_passport_desk_queues_the_building_with_its_reason()
    {
        var cs = await RegionWithClosedOctoberAsync("queue_passport");
        long account = await Sql.ScalarAsync<long>(cs, $"""
            SELECT min(l.account_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id
            WHERE s.code = 'cold_water' AND l.source = {(short)VolumeSource.Norm} AND l.service_month = '2026-10-01'
            """);
        long building = await Sql.ScalarAsync<long>(cs, $"SELECT min(building_id) FROM charge_line_details WHERE account_id = {account}");
        long person;
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock) { Actor = "тест", Reason = "тест" })
        {
            var guest = new OpenErc.Core.Residents.Person { LastName = "Гостев", FirstName = "Иван" };
            db.Add(guest);
            await db.SaveChangesAsync(Ct);
            person = guest.Id;
            // The registration body's decision was of 10.10: the desk learns it late, October is already charged.
            await PassportOffice.RegisterAsync(db, new(account, person, OpenErc.Core.Residents.RegistrationKind.Permanent, new DateOnly(2026, 10, 10),
                Relation: "прочие", Basis: "решение МВД от 10.10.2026"), "паспортист", Ct);
        }
        var registered = (await Recalculations.QueueAsync(cs, Ct)).ShouldHaveSingleItem();
        registered.Reason.ShouldBe("Число проживающих: изменение с 10.10.2026 — Регистрация по месту жительства: Гостев Иван (решение МВД от 10.10.2026)");
        (await Recalculations.ProcessQueueAsync(cs, November, "оператор", Clock, ct: Ct)).Lines.ShouldBeGreaterThan(0);
        (await QueuedAsync(cs)).ShouldBe(0);

        // A deregistration before the registration is refused and queues nothing.
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock))
        {
            var registration = await db.Registrations.SingleAsync(r => r.PersonId == person, Ct);
            await Should.ThrowAsync<RegistryValidationException>(() => PassportOffice.DeregisterAsync(db, registration.Id, new DateOnly(2026, 10, 1),
                OpenErc.Core.Residents.DeregistrationReason.MovedOut, null, null, "паспортист", new PassportSettings(), Ct));
        }
        (await QueuedAsync(cs)).ShouldBe(0);
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock))
        {
            var registration = await db.Registrations.SingleAsync(r => r.PersonId == person, Ct);
            await PassportOffice.DeregisterAsync(db, registration.Id, new DateOnly(2026, 10, 20), OpenErc.Core.Residents.DeregistrationReason.MovedOut,
                "г. Казань", "решение МВД от 20.10.2026", "паспортист", new PassportSettings(), Ct);
        }
        var queued = (await Recalculations.QueueAsync(cs, Ct)).ShouldHaveSingleItem();
        queued.BuildingId.ShouldBe(building);
        queued.FromMonth.ShouldBe(October);
        queued.QueuedBy.ShouldBe("паспортист");
        queued.Reason.ShouldBe("Число проживающих: изменение с 20.10.2026 — Снятие с регистрационного учёта: Гостев Иван, выбыл (решение МВД от 20.10.2026)");
    }

    [Fact]
    public async Task A_regional_tariff_queues_every_building_with_the_service_and_an_already_charged_open_month_waits()
    {
        var cs = await RegionWithClosedOctoberAsync("queue_tariff");
        long building = await Sql.ScalarAsync<long>(cs, "SELECT min(building_id) FROM charge_line_details");
        // November of one building is charged before the change.
        (await BillingRun.RunAsync(cs, November, BillingScope.Buildings([building]), new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();

        long withColdWater = await Sql.ScalarAsync<long>(cs, """
            SELECT count(DISTINCT l.building_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water'
            """);
        withColdWater.ShouldBeGreaterThan(1);
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock) { Reason = "решение РЭК" })
        {
            long coldWater = (await db.Services.SingleAsync(s => s.Code == "cold_water", Ct)).Id;
            var tariffs = await db.Tariffs.Where(t => t.ServiceId == coldWater
                && t.BuildingId == null && t.ValidFrom <= new DateOnly(2026, 10, 1) && (t.ValidTo == null || t.ValidTo > new DateOnly(2026, 10, 1))).ToListAsync(Ct);
            tariffs.ShouldNotBeEmpty();
            foreach (var t in tariffs) t.Rate += 1.17m;
            await db.SaveChangesAsync(Ct);
        }
        (await QueuedAsync(cs)).ShouldBe(withColdWater);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM recalculation_queue WHERE from_month <> '2026-10-01' OR reason NOT LIKE 'Тариф: изменение с % — решение РЭК'")).ShouldBe(0);

        var report = await Recalculations.ProcessQueueAsync(cs, November, "оператор", Clock, ct: Ct);
        report.Buildings.ShouldBe((int)withColdWater);
        report.Recalculation.ShouldNotBeNull().Months.ShouldHaveSingleItem().ServiceMonth.ShouldBe(October);
        report.Total.ShouldBeGreaterThan(0m);
        (await Sql.ScalarAsync<long>(cs, $"""
            SELECT count(*) FROM charge_line_details l JOIN services s ON s.id = l.service_id
            WHERE l.booking_month = '2026-11-01' AND l.kind = {(short)ChargeLineKind.Recalculation} AND s.code <> 'cold_water'
            """)).ShouldBe(0);
        // The building charged for November before the change waits from November (its November charge is stale).
        report.Kept.ShouldBe(1);
        var waiting = (await Recalculations.QueueAsync(cs, Ct)).ShouldHaveSingleItem();
        waiting.BuildingId.ShouldBe(building);
        waiting.FromMonth.ShouldBe(November);
        (await Recalculations.QueueStatusAsync(cs, November, Ct)).ShouldBe(new RecalculationQueueStatus(0, 1));
        (await Recalculations.ProcessQueueAsync(cs, November, "оператор", Clock, ct: Ct)).Buildings.ShouldBe(0);

        // Once November is closed and December open, November is recalculated for it.
        (await BillingRun.RunAsync(cs, November, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        await BillingPeriods.CloseAsync(cs, November, Clock, "тест", Ct);
        decimal stale = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE building_id = {building} AND service_month = '2026-11-01'");
        var december = await Recalculations.ProcessQueueAsync(cs, November.Next(), "оператор", Clock, ct: Ct);
        december.Buildings.ShouldBe(1);
        december.Recalculation.ShouldNotBeNull().Months.ShouldHaveSingleItem().ServiceMonth.ShouldBe(November);
        december.Total.ShouldBe(await FreshAsync(cs, building, November) - stale);
        december.Total.ShouldBeGreaterThan(0m);
        (await QueuedAsync(cs)).ShouldBe(0);
    }
}
