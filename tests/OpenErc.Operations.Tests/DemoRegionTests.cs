using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Organisations;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Security;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>The demo region: deterministic, valid by the registry's own rules, complete enough to charge and pay.</summary>
public sealed class DemoRegionTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod Month = new(2026, 11);

    private static readonly string[] Tables =
    [
        "organisations", "municipalities", "access_groups", "buildings", "building_managements", "premises", "personal_accounts",
        "people", "ownerships", "registrations", "resident_counts", "temporary_absences", "services", "building_service_methods",
        "service_contracts", "tariffs", "consumption_norms", "key_rates", "meters", "meter_readings", "payment_agent_accesses",
    ];

    private async Task<string> GenerateAsync(int accounts, int seed)
    {
        var cs = await cluster.CreateDatabaseAsync("demo");
        var result = await DemoRegion.GenerateAsync(cs, new DemoOptions(accounts, seed, Month), ct: Ct);
        result.Accounts.ShouldBe(accounts);
        return cs;
    }

    /// <summary>md5 of every table's rows in id order: equal digests mean equal contents.</summary>
    private static async Task<Dictionary<string, string>> DigestAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        var digests = new Dictionary<string, string>();
        foreach (var table in Tables)
        {
            await using var cmd = new NpgsqlCommand($"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t", conn);
            digests[table] = (string)(await cmd.ExecuteScalarAsync(Ct))!;
        }
        return digests;
    }

    [Fact]
    public async Task Same_seed_gives_the_same_region_and_another_seed_another()
    {
        var a = await DigestAsync(await GenerateAsync(150, 7));
        var b = await DigestAsync(await GenerateAsync(150, 7));
        var c = await DigestAsync(await GenerateAsync(150, 8));
        b.ShouldBe(a);
        c["people"].ShouldNotBe(a["people"]);
    }

    [Fact]
    public async Task Region_is_complete_and_valid_by_the_registry_rules()
    {
        var cs = await GenerateAsync(400, 42);
        await using var db = new Storage.OpenErcDbContext(Storage.OpenErcDatabase.Options(cs), Clock);

        (await db.Accounts.CountAsync(Ct)).ShouldBe(400);
        var organisations = await db.Organisations.ToListAsync(Ct);
        organisations.ShouldAllBe(o => RegistryValidation.Validate(o).Count == 0);
        organisations.Count(o => o.Kind is OrganisationKind.ManagementCompany or OrganisationKind.HomeownersAssociation or OrganisationKind.HousingCooperative).ShouldBeGreaterThanOrEqualTo(3);
        organisations.Count(o => o.Kind == OrganisationKind.ResourceSupplier).ShouldBeGreaterThanOrEqualTo(4);
        organisations.ShouldContain(o => o.Kind == OrganisationKind.CapitalRepairRegionalOperator);
        organisations.ShouldContain(o => o.Kind == OrganisationKind.WasteRegionalOperator);
        organisations.Count(o => o.Kind is OrganisationKind.Bank or OrganisationKind.PaymentAgent).ShouldBeGreaterThanOrEqualTo(2);
        (await db.Municipalities.CountAsync(Ct)).ShouldBeGreaterThan(1);

        (await db.Accounts.ToListAsync(Ct)).ShouldAllBe(a => RegistryValidation.Validate(a).Count == 0);
        (await db.Buildings.ToListAsync(Ct)).ShouldAllBe(b => RegistryValidation.Validate(b).Count == 0);
        (await db.Meters.ToListAsync(Ct)).ShouldAllBe(m => RegistryValidation.Validate(m).Count == 0);

        var agent = await db.PaymentAgentAccesses.SingleAsync(a => a.Login == "demo-bank", Ct);
        PasswordHasher.Verify("demo-bank", agent.PasswordHash).ShouldBeTrue();
        PasswordHasher.Verify("wrong", agent.PasswordHash).ShouldBeFalse();

        // Six months of readings before the current month, and tariffs that change on 1 July.
        var readMonths = await db.MeterReadings.Select(r => new { r.ReadOn.Year, r.ReadOn.Month }).Distinct().CountAsync(Ct);
        readMonths.ShouldBe(6);
        (await db.MeterReadings.MaxAsync(r => r.ReadOn, Ct)).ShouldBeLessThan(Month.FirstDay);
        (await db.Tariffs.AnyAsync(t => t.ValidFrom == new DateOnly(2026, 7, 1), Ct)).ShouldBeTrue();
        (await db.Tariffs.AnyAsync(t => t.ValidTo == new DateOnly(2026, 7, 1), Ct)).ShouldBeTrue();

        // The search keys the load wrote (without triggers) are those the database keeps: the premise's building and
        // number and the payer's name, in lower case with «ё» as «е» (and some names had a «ё»).
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(Ct);
            await using var keys = new NpgsqlCommand("""
                SELECT count(*) FILTER (WHERE (a.search_building_id, a.search_flat, a.search_payer) IS DISTINCT FROM
                                              (p.building_id, replace(lower(p.number), 'ё', 'е'), replace(lower(pp.full_name), 'ё', 'е'))),
                       count(*) FILTER (WHERE pp.full_name ~ '[Ёё]'), count(a.search_payer)
                FROM personal_accounts a JOIN premises p ON p.id = a.premise_id LEFT JOIN people pp ON pp.id = a.payer_person_id
                """, conn);
            await using var r = await keys.ExecuteReaderAsync(Ct);
            await r.ReadAsync(Ct);
            (r.GetInt64(0), r.GetInt64(1) > 0, r.GetInt64(2)).ShouldBe((0L, true, 400L));
        }

        // New rows after the bulk load get fresh ids: the identity sequences were moved past the loaded ones.
        db.Municipalities.Add(new Core.Housing.Municipality { Name = "Новое поселение" });
        await db.SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task A_second_run_on_a_filled_database_is_refused_and_changes_nothing()
    {
        var cs = await GenerateAsync(30, 1);
        var before = await DigestAsync(cs);
        var e = await Should.ThrowAsync<InvalidOperationException>(() => DemoRegion.GenerateAsync(cs, new DemoOptions(30, 2, Month), ct: Ct));
        e.Message.ShouldBe("База данных уже содержит дома: демонстрационный регион создаётся только в пустой базе");
        (await DigestAsync(cs)).ShouldBe(before);
    }
}
