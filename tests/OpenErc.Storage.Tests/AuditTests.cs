using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Storage.Tests;

/// <summary>Every change to registry data is archived in the same transaction: who, when, what from what to what, why.</summary>
public sealed class AuditTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task An_edit_is_archived_field_by_field_with_who_and_why()
    {
        var ct = TestContext.Current.CancellationToken;
        long id;
        await using (var db = database.CreateContext())
        {
            db.Actor = "бти.иванова";
            db.Reason = "Паспорт БТИ";
            var town = new Municipality { Name = "Городской округ Новоград", Oktmo = "65701000" };
            db.Add(town);
            await db.SaveChangesAsync(ct);
            var building = new Building { MunicipalityId = town.Id, Region = "Новоградская область", Settlement = "г. Новоград", Street = "ул. Ленина", House = "5", Floors = 5, TotalArea = 3200m };
            db.Add(building);
            await db.SaveChangesAsync(ct);
            id = building.Id;
        }
        await using (var db = database.CreateContext())
        {
            db.Actor = "бти.петров";
            db.Reason = "Надстройка мансарды";
            var building = await db.Buildings.SingleAsync(b => b.Id == id, ct);
            building.Floors = 6;
            building.TotalArea = 3450.5m;
            await db.SaveChangesAsync(ct);
            building.Address.ShouldBe("г. Новоград, ул. Ленина, д. 5");
        }

        await using var read = database.CreateContext();
        var history = await read.AuditEntries.Where(e => e.EntityType == "Building" && e.EntityId == id).OrderBy(e => e.Id).ToListAsync(ct);
        history.Select(h => h.Action).ShouldBe([AuditAction.Created, AuditAction.Updated]);
        history[0].Actor.ShouldBe("бти.иванова");
        history[0].Changes.ShouldContain(new FieldChange("House", null, "5"));
        var edit = history[1];
        edit.Actor.ShouldBe("бти.петров");
        edit.Reason.ShouldBe("Надстройка мансарды");
        edit.Changes.ShouldBe([new FieldChange("Floors", "5", "6"), new FieldChange("TotalArea", "3200", "3450.5")], ignoreOrder: true);
        edit.At.ShouldBeGreaterThanOrEqualTo(history[0].At);
    }

    [Fact]
    public async Task A_failed_save_leaves_no_history()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        int before = await db.AuditEntries.CountAsync(ct);
        db.Add(new Premise { BuildingId = 999_999, Number = "1", TotalArea = 40m });
        await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        await using var read = database.CreateContext();
        (await read.AuditEntries.CountAsync(ct)).ShouldBe(before);
    }

    [Fact]
    public async Task Saving_nothing_new_archives_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        var town = new Municipality { Name = "Сельское поселение Заречное" };
        db.Add(town);
        await db.SaveChangesAsync(ct);
        int before = await db.AuditEntries.CountAsync(ct);
        town.Name = "Сельское поселение Заречное"; // same value
        await db.SaveChangesAsync(ct);
        (await db.AuditEntries.CountAsync(ct)).ShouldBe(before);
    }
}
