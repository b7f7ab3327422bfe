using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Residents;
using OpenErc.Operations.Registry;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>The number of residents over time, in the database: lookups at the boundaries and changes from a date.</summary>
public sealed class ResidencyTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    private async Task<long> NewAccountAsync(long serial)
    {
        await using var db = database.CreateContext();
        var town = new Municipality { Name = "Новоград" };
        db.Add(town);
        await db.SaveChangesAsync(Ct);
        var building = new Building { MunicipalityId = town.Id, Region = "Новоградская область", Settlement = "г. Новоград", Street = "ул. Мира", House = "1" };
        db.Add(building);
        await db.SaveChangesAsync(Ct);
        var premise = new Premise { BuildingId = building.Id, Number = "1", TotalArea = 45m };
        db.Add(premise);
        await db.SaveChangesAsync(Ct);
        var account = new PersonalAccount { Number = AccountNumber.Create(serial), PremiseId = premise.Id, OpenedOn = D("2025-01-01") };
        db.Add(account);
        await db.SaveChangesAsync(Ct);
        return account.Id;
    }

    [Fact]
    public async Task Lookup_at_the_boundaries_of_a_change()
    {
        long id = await NewAccountAsync(101);
        await using var db = database.CreateContext();
        await Residency.SetResidentCountAsync(db, id, 2, D("2025-01-01"), "по регистрации", Ct);
        await Residency.SetResidentCountAsync(db, id, 5, D("2026-03-01"), "акт", Ct);

        (await Residency.ResidentsOnAsync(db, id, D("2024-12-31"), Ct)).ShouldBeNull();
        (await Residency.ResidentsOnAsync(db, id, D("2025-01-01"), Ct)).ShouldBe(2);
        (await Residency.ResidentsOnAsync(db, id, D("2026-02-28"), Ct)).ShouldBe(2);
        (await Residency.ResidentsOnAsync(db, id, D("2026-03-01"), Ct)).ShouldBe(5);
        (await Residency.ResidentsOnAsync(db, id, D("2030-01-01"), Ct)).ShouldBe(5);
    }

    [Fact]
    public async Task A_change_inside_history_splits_the_period_and_keeps_the_later_ones()
    {
        long id = await NewAccountAsync(102);
        await using var db = database.CreateContext();
        await Residency.SetResidentCountAsync(db, id, 1, D("2025-01-01"), null, Ct);
        await Residency.SetResidentCountAsync(db, id, 3, D("2025-09-01"), null, Ct);
        await Residency.SetResidentCountAsync(db, id, 2, D("2025-05-10"), null, Ct);   // retroactive, between the two
        await Residency.SetResidentCountAsync(db, id, 4, D("2025-09-01"), null, Ct);   // same start day: a correction

        var rows = await db.ResidentCounts.AsNoTracking().Where(r => r.AccountId == id).OrderBy(r => r.ValidFrom)
            .Select(r => new { r.Count, r.ValidFrom, r.ValidTo }).ToListAsync(Ct);
        rows.Select(r => (r.Count, r.ValidFrom, r.ValidTo)).ShouldBe([
            (1, D("2025-01-01"), (DateOnly?)D("2025-05-10")),
            (2, D("2025-05-10"), D("2025-09-01")),
            (4, D("2025-09-01"), null),
        ]);
        var history = await db.AuditEntries.Where(e => e.EntityType == nameof(ResidentCount)).ToListAsync(Ct);
        history.ShouldContain(e => e.Action == AuditAction.Updated && e.Changes.Contains(new FieldChange("Count", "3", "4")));
    }

    [Fact]
    public async Task A_negative_count_is_refused_and_nothing_changes()
    {
        long id = await NewAccountAsync(103);
        await using var db = database.CreateContext();
        await Residency.SetResidentCountAsync(db, id, 2, D("2025-01-01"), null, Ct);
        await using var other = database.CreateContext();
        var e = await Should.ThrowAsync<RegistryValidationException>(() => Residency.SetResidentCountAsync(other, id, -1, D("2025-06-01"), null, Ct));
        e.Errors["Count"].ShouldBe(["Число проживающих должно быть от 0 до 100"]);
        await using var read = database.CreateContext();
        (await read.ResidentCounts.CountAsync(r => r.AccountId == id, Ct)).ShouldBe(1);
        (await Residency.ResidentsOnAsync(read, id, D("2025-07-01"), Ct)).ShouldBe(2);
    }
}
