using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Accounts;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Cabinet;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// Readings the centre's staff take (at the counter, by phone, on a round): any day up to today, with the cabinet's
/// checks of the value, a jump saved only when confirmed, the channel and the operator recorded.
/// </summary>
public sealed class StaffReadingsTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static DateOnly D(int month, int day, int year = 2026) => new(year, month, day);
    private static readonly ReadingRules Rules = new();

    /// <summary>A cold-water meter (five digits) read 100, 105, 110 on the 20th of August, September and October 2026.</summary>
    private async Task<Meter> MeterAsync(long serial)
    {
        await using var db = database.CreateContext();
        var town = new Municipality { Name = "Новоград" };
        db.Add(town);
        await db.SaveChangesAsync(Ct);
        var building = new Building { MunicipalityId = town.Id, Region = "Новоградская область", Settlement = "г. Новоград", Street = "ул. Счётная", House = serial.ToString() };
        db.Add(building);
        await db.SaveChangesAsync(Ct);
        var premise = new Premise { BuildingId = building.Id, Number = "1", TotalArea = 45m };
        db.Add(premise);
        await db.SaveChangesAsync(Ct);
        db.Add(new PersonalAccount { Number = AccountNumber.Create(serial), PremiseId = premise.Id, OpenedOn = D(1, 1, 2025) });
        var meter = new Meter
        {
            BuildingId = building.Id, PremiseId = premise.Id, Resource = Resource.ColdWater, SerialNumber = "ХВ-" + serial, Digits = 5,
            InstalledOn = D(1, 1, 2025),
        };
        db.Add(meter);
        await db.SaveChangesAsync(Ct);
        foreach (var (month, value) in new[] { (8, 100m), (9, 105m), (10, 110m) })
            db.Add(new MeterReading { MeterId = meter.Id, ReadOn = D(month, 20), Value = value, Source = ReadingSource.Cabinet, EnteredAt = database.Clock.Now });
        await db.SaveChangesAsync(Ct);
        return meter;
    }

    private async Task<ReadingOutcome> EnterAsync(Meter meter, decimal? value, DateOnly on, ReadingSource source = ReadingSource.Phone, bool confirmed = false,
        DateOnly? today = null)
    {
        await using var db = database.CreateContext();
        return await ReadingSubmission.EnterAsync(db, meter.Id, 1, value, on, source, confirmed, today ?? D(11, 20), database.Clock.Now, Rules, "manager1", Ct);
    }

    private async Task<List<(DateOnly On, decimal Value, ReadingSource Source, string? By)>> ReadingsAsync(Meter meter)
    {
        await using var db = database.CreateContext();
        return (await db.MeterReadings.Where(r => r.MeterId == meter.Id).OrderBy(r => r.ReadOn).ToListAsync(Ct))
            .Select(r => (r.ReadOn, r.Value, r.Source, r.EnteredBy)).ToList();
    }

    [Fact]
    public async Task A_reading_by_phone_is_saved_with_its_channel_operator_and_reason()
    {
        var meter = await MeterAsync(801);
        var outcome = await EnterAsync(meter, 113m, D(11, 20));
        (outcome.Saved, outcome.Volume, outcome.Warning, outcome.Errors.Count).ShouldBe((true, 3m, null, 0));
        (await ReadingsAsync(meter))[^1].ShouldBe((D(11, 20), 113m, ReadingSource.Phone, "manager1"));
        await using var db = database.CreateContext();
        var audit = await db.AuditEntries.SingleAsync(e => e.EntityType == nameof(MeterReading) && e.EntityId == outcome.ReadingId, Ct);
        (audit.Actor, audit.Reason).ShouldBe(("manager1", "Показание принято: Телефон"));
    }

    [Fact]
    public async Task Bad_readings_are_refused_in_russian_and_nothing_is_saved()
    {
        var meter = await MeterAsync(802);
        async Task Refused(ReadingOutcome outcome, string message)
        {
            outcome.Saved.ShouldBeFalse();
            outcome.Errors.ShouldBe([message]);
        }
        await Refused(await EnterAsync(meter, 113m, D(11, 20), ReadingSource.Cabinet), "Выберите, как получено показание: оператор, телефон или обход контролёра");
        await Refused(await EnterAsync(meter, 113m, D(11, 21)), "Дата показания 21.11.2026 ещё не наступила");
        await Refused(await EnterAsync(meter, 1m, D(12, 31, 2024)), "Прибор учёта ХВ-802 установлен 01.01.2025: показание не может быть раньше");
        await Refused(await EnterAsync(meter, 109m, D(11, 20)), "Показание 109 меньше предыдущего (110 на 20.10.2026)");
        await Refused(await EnterAsync(meter, 100000m, D(11, 20)), "В показании больше 5 цифр до запятой: у прибора 5-разрядный счётчик");
        await Refused(await EnterAsync(meter, 110m, D(10, 20)), "Показание на 20.10.2026 уже передано: 110");
        await Refused(await EnterAsync(meter, null, D(11, 20)), "Введите показание");
        // Back-dated between two readings, it must fit between them.
        await Refused(await EnterAsync(meter, 111m, D(10, 5)), "Показание 111 больше следующего (110 на 20.10.2026)");
        (await ReadingsAsync(meter)).Count.ShouldBe(3);

        var between = await EnterAsync(meter, 108m, D(10, 5), ReadingSource.Inspection);
        (between.Saved, between.Volume).ShouldBe((true, 3m));
        (await ReadingsAsync(meter)).Select(r => r.Value).ShouldBe([100m, 105m, 108m, 110m]);
    }

    [Fact]
    public async Task A_jump_is_saved_only_when_confirmed()
    {
        var meter = await MeterAsync(803);
        var warned = await EnterAsync(meter, 310m, D(11, 30), today: D(11, 30));
        warned.Saved.ShouldBeFalse();
        warned.Volume.ShouldBe(200m);
        warned.Warning.ShouldNotBeNull().ShouldStartWith("Расход 200 с 20.10.2026");
        (await ReadingsAsync(meter)).Count.ShouldBe(3);

        var confirmed = await EnterAsync(meter, 310m, D(11, 30), ReadingSource.Operator, confirmed: true, today: D(11, 30));
        (confirmed.Saved, confirmed.Volume).ShouldBe((true, 200m));
        (await ReadingsAsync(meter))[^1].ShouldBe((D(11, 30), 310m, ReadingSource.Operator, "manager1"));
    }

    [Fact]
    public async Task A_replacement_takes_the_final_reading_removes_the_old_meter_and_installs_the_new_one_with_its_initial_reading()
    {
        var meter = await MeterAsync(9101);
        var replacement = new OpenErc.Operations.Registry.NewMeter("ХВ-НОВЫЙ-1", "СГВ-15", 6, D(11, 10), D(11, 10, 2032), D(11, 10), [0.5m]);

        // A final reading below the last one is refused, and nothing changes.
        await using (var db = database.CreateContext())
        {
            var e = await Should.ThrowAsync<OpenErc.Operations.Registry.RegistryValidationException>(() => OpenErc.Operations.Registry.MeterReplacement.ReplaceAsync(
                db, meter.Id, D(11, 10), [108m], replacement, D(11, 20), database.Clock.Now, Rules, "bti1", Ct));
            e.Errors["finalReadings[0]"].ShouldBe(["Конечное показание: Показание 108 меньше предыдущего (110 на 20.10.2026)"]);
        }
        await using (var db = database.CreateContext())
        {
            (await db.Meters.CountAsync(m => m.PremiseId == meter.PremiseId, Ct)).ShouldBe(1);
            (await db.Meters.SingleAsync(m => m.Id == meter.Id, Ct)).RemovedOn.ShouldBeNull();
        }

        Meter installed;
        await using (var db = database.CreateContext())
            installed = await OpenErc.Operations.Registry.MeterReplacement.ReplaceAsync(db, meter.Id, D(11, 10), [113.25m], replacement, D(11, 20),
                database.Clock.Now, Rules, "bti1", Ct);
        await using (var db = database.CreateContext())
        {
            (await db.Meters.SingleAsync(m => m.Id == meter.Id, Ct)).RemovedOn.ShouldBe(D(11, 10));
            var fresh = await db.Meters.SingleAsync(m => m.Id == installed.Id, Ct);
            (fresh.SerialNumber, fresh.Resource, fresh.PremiseId, fresh.InstalledOn, fresh.Digits).ShouldBe(("ХВ-НОВЫЙ-1", Resource.ColdWater, meter.PremiseId, D(11, 10), 6));
        }
        (await ReadingsAsync(meter)).Last().ShouldBe((D(11, 10), 113.25m, ReadingSource.Operator, "bti1"));
        (await ReadingsAsync(installed)).ShouldBe([(D(11, 10), 0.5m, ReadingSource.Operator, "bti1")]);
        // The old meter takes no readings after its removal; the new one does.
        (await EnterAsync(meter, 115m, D(11, 15))).Errors.ShouldBe(["Прибор учёта ХВ-9101 снят 10.11.2026: показания не принимаются"]);
        (await EnterAsync(installed, 2m, D(11, 15))).Saved.ShouldBeTrue();
    }
}
