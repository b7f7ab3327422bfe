using System.Xml.Linq;
using OpenErc.Core.Common;
using OpenErc.Exchange.Gis;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Gis;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// Packages for ГИС ЖКХ from a demo region with a closed October: accounts first (their GUIDs, ЕЛС and ИЖКУ come back),
/// then the month's payment documents of the accounts placed, the gateway's answers placing or refusing them.
/// </summary>
public sealed class GisPackagesTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 6);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod October = new(2026, 10);
    private static readonly XNamespace Bills = GisMessages.Root + "bills/", Base = GisMessages.Root + "base/", House = GisMessages.Root + "house-management/";

    private static async Task<XDocument> PayloadAsync(string cs, long id) =>
        XDocument.Load(new MemoryStream((await GisPackages.PayloadAsync(cs, id, Ct))!.Value.Payload));

    private static async Task<GisPackageInfo> AnswerAsync(string cs, long id, IReadOnlyList<GisObjectResult> results)
    {
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock);
        return await GisPackages.ApplyResultsAsync(db, id, results, Clock, "шлюз", Ct);
    }

    [Fact]
    public async Task Accounts_then_payment_documents_go_as_packages_and_the_answers_place_or_refuse_them()
    {
        var cs = await cluster.CreateDatabaseAsync("gis_packages");
        await DemoRegion.GenerateAsync(cs, new DemoOptions(30, 11, new BillingPeriod(2026, 11), Months: 1), ct: Ct);
        long building = await Sql.ScalarAsync<long>(cs, "SELECT min(building_id) FROM receipts WHERE month = '2026-10-01'");
        var services = (await Sql.ScalarAsync<string>(cs, "SELECT string_agg(code, ',' ORDER BY code) FROM services")).Split(',');
        var settings = new GisSettings
        {
            ProviderPpaGuid = Guid.Parse("6d9a0f4e-2b1c-4c55-9d4f-7c1e2a3b4c5d"),
            ServiceTypes = services.Select((code, i) => (code, i)).ToDictionary(x => x.code, x => new GisServiceType((x.i + 1).ToString())),
        };

        // Documents before accounts: nothing to place — no account has its GUID yet.
        var early = await GisPackages.PrepareAsync(cs, GisPackageKind.PaymentDocuments, October, building, settings, Clock, "расчётчик", Ct);
        early.Packages.ShouldBeEmpty();
        early.Skipped.ShouldContain(s => s.Contains("лицевые счета не размещены в ГИС ЖКХ"));
        // The open month's documents cannot go: it is not closed.
        (await Should.ThrowAsync<GisException>(() => GisPackages.PrepareAsync(cs, GisPackageKind.PaymentDocuments, new BillingPeriod(2026, 11), building, settings,
            Clock, "расчётчик", Ct))).Message.ShouldBe("Месяц ноябрь 2026 не закрыт: платёжные документы размещаются за закрытый месяц");

        // Accounts: one object per open account, each with its TransportGUID.
        var accounts = (await GisPackages.PrepareAsync(cs, GisPackageKind.Accounts, October, building, settings, Clock, "расчётчик", Ct)).Packages.Single();
        long open = await Sql.ScalarAsync<long>(cs,
            $"SELECT count(*) FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = {building} AND a.closed_on IS NULL");
        (accounts.Objects, accounts.State).ShouldBe(((int)open, GisPackageState.Prepared));
        var xml = await PayloadAsync(cs, accounts.Id);
        xml.Root!.Name.ShouldBe(House + "importAccountRequest");
        xml.Root.Attribute(Base + "version")!.Value.ShouldBe("11.2.0.16");
        var sent = xml.Root.Elements(House + "Account").Select(a => (Guid: Guid.Parse(a.Element(Base + "TransportGUID")!.Value), Number: a.Element(House + "AccountNumber")!.Value))
            .ToList();
        sent.Count.ShouldBe((int)open);
        sent.ShouldAllBe(a => xml.Root.Elements(House + "Account").All(e => e.Element(House + "isRCAccount")!.Value == "true"));

        // An answer before the package is sent is refused; sending is recorded once.
        (await Should.ThrowAsync<GisException>(() => AnswerAsync(cs, accounts.Id, [new GisObjectResult(sent[0].Guid, Guid.NewGuid())]))).Status.ShouldBe(409);
        var message = Guid.NewGuid();
        await GisPackages.MarkSentAsync(cs, accounts.Id, message, Clock, Ct);
        await GisPackages.MarkSentAsync(cs, accounts.Id, message, Clock, Ct);
        (await Should.ThrowAsync<GisException>(() => GisPackages.MarkSentAsync(cs, accounts.Id, Guid.NewGuid(), Clock, Ct))).Status.ShouldBe(409);

        // An answer about an object of no package is refused whole.
        (await Should.ThrowAsync<GisException>(() => AnswerAsync(cs, accounts.Id, [new GisObjectResult(Guid.NewGuid(), Guid.NewGuid())]))).Status.ShouldBe(400);

        // The state system takes all accounts but the last: GUIDs, ЕЛС and ИЖКУ come back; the package is refused with the reason.
        var results = sent.Select((a, i) => i == sent.Count - 1
            ? new GisObjectResult(a.Guid, Error: "Помещение не найдено в доме")
            : new GisObjectResult(a.Guid, Guid.NewGuid(), $"75ДА{533300 + i:D6}", $"75ДА{533300 + i:D6}-01")).ToList();
        var answered = await AnswerAsync(cs, accounts.Id, results);
        (answered.State, answered.Accepted, answered.Rejected, answered.Error).ShouldBe((GisPackageState.Refused, sent.Count - 1, 1,
            $"Отклонено 1 из {sent.Count}: Помещение не найдено в доме"));
        (await Sql.ScalarAsync<string>(cs, $"SELECT a.number FROM account_aliases x JOIN personal_accounts a ON a.id = x.account_id WHERE x.number = '75ДА533300'"))
            .ShouldBe(sent[0].Number);

        // Without the service list's codes, nothing is prepared, and the report names the services.
        var unnamed = await GisPackages.PrepareAsync(cs, GisPackageKind.PaymentDocuments, October, building, new GisSettings(), Clock, "расчётчик", Ct);
        unnamed.Packages.ShouldBeEmpty();
        unnamed.Skipped.ShouldContain(s => s.Contains("не задан код справочника услуг ГИС ЖКХ"));

        // Payment documents of October: the accounts placed, with the executor and every line's service code.
        var documents = await GisPackages.PrepareAsync(cs, GisPackageKind.PaymentDocuments, October, building, settings, Clock, "расчётчик", Ct);
        var package = documents.Packages.Single();
        string refusedNumber = sent[^1].Number;
        documents.Skipped.ShouldContain(s => s.Contains(refusedNumber));
        long issued = await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM receipts WHERE month = '2026-10-01' AND building_id = {building} AND kind IN (1, 3)");
        package.Objects.ShouldBe((int)issued - 1, string.Join("\n", documents.Skipped));
        var bills = (await PayloadAsync(cs, package.Id)).Root!;
        bills.Name.ShouldBe(Bills + "importPaymentDocumentRequest");
        (bills.Element(Bills + "Month")!.Value, bills.Element(Bills + "Year")!.Value, bills.Element(Bills + "ConfirmAmountsCorrect")!.Value).ShouldBe(("10", "2026", "true"));
        bills.Element(Bills + "PaymentProviderInformation")!.Element(Bills + "orgPPAGUID")!.Value.ShouldBe("6d9a0f4e-2b1c-4c55-9d4f-7c1e2a3b4c5d");
        foreach (var d in bills.Elements(Bills + "PaymentDocument"))
        {
            static decimal Sum(IEnumerable<XElement> e) => e.Sum(x => decimal.Parse(x.Value, System.Globalization.CultureInfo.InvariantCulture));
            var lines = d.Elements(Bills + "ChargeInfo").Select(c => c.Elements().Single()).ToList();
            lines.ShouldNotBeEmpty();
            // The totals add up as the state system checks them: Σ lines' TotalPayable, and each line's own equation.
            Sum(lines.Select(l => l.Element(Bills + "TotalPayable")!)).ShouldBe(Sum([d.Element(Bills + "TotalPayableByChargeInfo")!]));
            foreach (var l in lines)
                Sum([l.Element(Bills + "TotalPayableOverall")!]).ShouldBe(Sum(l.Elements(Bills + "TotalPayable").Concat(l.Elements(Bills + "DebtPreviousPeriodsOrAdvanceBillingPeriod"))
                    .Concat(l.Elements(Bills + "Penalties"))));
            // With the debt or advance of earlier months (an advance not divided among services among it) and the penalties, what the document asks.
            (Sum([d.Element(Bills + "TotalPayableByChargeInfo")!]) + Sum(d.Elements(Bills + "DebtPreviousPeriods")) - Sum(d.Elements(Bills + "AdvanceBllingPeriod"))
                + Sum([d.Element(Bills + "TotalByPenaltiesAndCourtCosts")!])).ShouldBe(Sum([d.Element(Bills + "TotalPayableByPDWithDebtAndAdvance")!]));
        }
        var guids = bills.Elements(Bills + "PaymentDocument").Select(d => Guid.Parse(d.Element(Base + "TransportGUID")!.Value)).ToList();

        // The building's package is prepared already: not again.
        (await GisPackages.PrepareAsync(cs, GisPackageKind.PaymentDocuments, October, building, settings, Clock, "расчётчик", Ct)).Packages.ShouldBeEmpty();

        // All placed: each document its ИПД; the dashboard's state of the building.
        await GisPackages.MarkSentAsync(cs, package.Id, Guid.NewGuid(), Clock, Ct);
        var placed = await AnswerAsync(cs, package.Id, guids.Select((g, i) => new GisObjectResult(g, Guid.NewGuid(), $"75ДА{533300 + i:D6}-01-6101")).ToList());
        (placed.State, placed.Accepted).ShouldBe((GisPackageState.Placed, guids.Count));
        // The month's readings: a meter with a value of each zone, in the house's request by its ФИАС GUID.
        long meters = await Sql.ScalarAsync<long>(cs, $"""
            SELECT count(*) FROM meters m WHERE m.building_id = {building} AND m.kind IN (1, 2)
              AND (SELECT count(DISTINCT r.zone) FROM meter_readings r WHERE r.meter_id = m.id AND r.read_on >= '2026-10-01' AND r.read_on < '2026-11-01') = m.zones
            """);
        meters.ShouldBeGreaterThan(0);
        var readings = (await GisPackages.PrepareAsync(cs, GisPackageKind.Readings, October, building, settings, Clock, "расчётчик", Ct)).Packages.Single();
        readings.Objects.ShouldBe((int)meters);
        XNamespace metering = GisMessages.Root + "device-metering/";
        var values = (await PayloadAsync(cs, readings.Id)).Root!;
        values.Element(metering + "FIASHouseGuid")!.Value.ShouldBe((await Sql.ScalarAsync<Guid>(cs, $"SELECT fias_guid FROM buildings WHERE id = {building}")).ToString());
        values.Elements(metering + "MeteringDevicesValues").Count().ShouldBe((int)meters);

        var states = (await GisPackages.MonthStatesAsync(cs, October, Ct)).Where(p => p.BuildingId == building).ToList();
        states.Select(p => (p.Kind, p.State)).ShouldBe([(GisPackageKind.Accounts, GisPackageState.Refused), (GisPackageKind.PaymentDocuments, GisPackageState.Placed),
            (GisPackageKind.Readings, GisPackageState.Prepared)]);
    }
}
