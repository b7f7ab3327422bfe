using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Accounts;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Exchange.Uszn;
using OpenErc.Operations.Benefits;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// benefits.md §6.1: УСЗН's registry of rights loaded whole or refused whole with every line's reason (and the BENERR to
/// send back); the same file again changes nothing; CHANGE updates, CLOSE ends a right on the day after its last day.
/// </summary>
public sealed class UsznImportTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Name = "OPENERC_BENREG_ERC66_USZN01_202605_001.csv";
    private static readonly string Number = AccountNumber.Create(1);

    /// <summary>
    /// The flat of <see cref="OneFlatRegion"/> (Иванов Иван Иванович: payer, owner, registered from 16.04.2026), his birth
    /// date set, with Фёдорова Алёна Петровна (no СНИЛС) and Кузнецов Олег Олегович (СНИЛС 112-233-445 95) registered, and
    /// Сидоров Сергей Сергеевич, who lives elsewhere.
    /// </summary>
    private async Task<(string Cs, long Ivanov, long Fedorova, long Kuznetsov)> RegionAsync()
    {
        var cs = await cluster.CreateDatabaseAsync("uszn");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), OneFlatRegion.Clock) { Actor = "тест" };
        (await db.People.SingleAsync(p => p.Id == flat.PersonId, Ct)).BirthDate = new DateOnly(1950, 3, 12);
        var fedorova = new Person { LastName = "Фёдорова", FirstName = "Алёна", MiddleName = "Петровна", BirthDate = new DateOnly(1948, 5, 5) };
        var kuznetsov = new Person { LastName = "Кузнецов", FirstName = "Олег", MiddleName = "Олегович", BirthDate = new DateOnly(1955, 1, 20), Snils = "112-233-445 95" };
        var sidorov = new Person { LastName = "Сидоров", FirstName = "Сергей", MiddleName = "Сергеевич", BirthDate = new DateOnly(1960, 1, 1) };
        // The building pays its capital-repair contribution through the centre (KR70 discounts it); it does not bill ТКО.
        var capitalRepair = new Service { Code = "capital_repair", Name = "Взнос на капитальный ремонт", Kind = ServiceKind.Housing, Unit = "м²" };
        db.AddRange(fedorova, kuznetsov, sidorov, capitalRepair);
        await db.SaveChangesAsync(Ct);
        db.Add(new BuildingServiceMethod { BuildingId = flat.BuildingId, ServiceId = capitalRepair.Id, Method = CalculationMethod.Area, ValidFrom = OneFlatRegion.Opened });
        db.AddRange(new Registration { AccountId = flat.AccountId, PersonId = fedorova.Id, ValidFrom = OneFlatRegion.Opened },
            new Registration { AccountId = flat.AccountId, PersonId = kuznetsov.Id, ValidFrom = OneFlatRegion.Opened });
        await db.SaveChangesAsync(Ct);
        return (cs, flat.PersonId, fedorova.Id, kuznetsov.Id);
    }

    private static Dictionary<string, string> Row(string rightId, string lastName, string firstName, string middleName, string birthDate, params (string, string)[] values) =>
        BenregSample.Row(rightId, Number, lastName, firstName, middleName, birthDate, values);

    private static byte[] File(params Dictionary<string, string>[] rows) => BenregSample.File(rows);

    private static Dictionary<string, string> Ivanov(string rightId = "R-1", params (string, string)[] values) =>
        Row(rightId, "ИВАНОВ", "иван", "Иванович", "12.03.1950", [("CoveredPersonIds", $"P-{rightId},P-2"), .. values]);

    private static Dictionary<string, string> Fedorova(params (string, string)[] values) => Row("R-2", "Федорова", "Алена", "Петровна", "05.05.1948", values);

    // The СНИЛС names him although УСЗН has his name spelt otherwise.
    private static Dictionary<string, string> Kuznetsov(params (string, string)[] values) =>
        Row("R-3", "Кузнецовъ", "Олег", "", "01.01.1901", [("Snils", "11223344595"), ("CategoryCode", "KR70"), ("Services", "KR"), ("ValidTo", "31.12.2026"),
            ("ShareNum", "1"), ("ShareDen", "2"), .. values]);

    private static Task<UsznImportResult> ImportAsync(string cs, byte[] file, string name = Name) =>
        UsznImport.ImportRightsAsync(cs, file, name, "ivanova", OneFlatRegion.Clock, Ct);

    [Fact]
    public async Task A_valid_registry_adds_its_rights_and_the_same_file_again_changes_nothing()
    {
        var (cs, ivanov, fedorova, kuznetsov) = await RegionAsync();
        var file = File(Ivanov(), Fedorova(), Kuznetsov());

        var result = await ImportAsync(cs, file);

        result.Problems.ShouldBeEmpty();
        result.Applied.ShouldBeTrue();
        (result.Rows, result.Added, result.Changed, result.Closed, result.Unchanged).ShouldBe((3, 3, 0, 0, 0));
        result.Benerr.ShouldBeNull();
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), OneFlatRegion.Clock);
        var rights = await db.BenefitRights.AsNoTracking().OrderBy(r => r.UsznRightId).ToListAsync(Ct);
        rights.Select(r => (r.UsznRightId, r.PersonId, r.CategoryCode)).ShouldBe([("R-1", ivanov, "VET_TRUDA"), ("R-2", fedorova, "VET_TRUDA"), ("R-3", kuznetsov, "KR70")]);
        // Two covered persons listed; the beneficiary alone when the list is empty.
        rights.Select(r => r.CoveredPersons).ShouldBe([2, 1, 1]);
        (rights[0].Rate, rights[0].ValidFrom, rights[0].ValidTo, rights[0].DecisionNumber, rights[0].DecisionDate)
            .ShouldBe((0.5m, new DateOnly(2026, 5, 1), null, "Р-R-1", new DateOnly(2026, 4, 20)));
        // The file's last day 31.12.2026 is inclusive; ours is the day after.
        (rights[2].ValidTo, rights[2].ShareNumerator, rights[2].ShareDenominator).ShouldBe((new DateOnly(2027, 1, 1), 1, 2));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM audit_entries WHERE entity_type = 'BenefitRight' AND actor = 'ivanova' AND reason = 'реестр УСЗН " + Name + "'"))
            .ShouldBe(3);

        var again = await ImportAsync(cs, file);
        (again.Applied, again.Added, again.Changed, again.Closed, again.Unchanged).ShouldBe((true, 0, 0, 0, 3));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM audit_entries WHERE entity_type = 'BenefitRight'")).ShouldBe(3);
    }

    [Fact]
    public async Task The_same_registry_loaded_twice_at_once_is_saved_once_and_the_other_load_is_told_so()
    {
        var (cs, _, _, _) = await RegionAsync();
        var file = File(Ivanov(), Fedorova(), Kuznetsov());
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ImportAsync(cs, file), Ct)));
        results.Count(r => r.Applied && r.Added == 3).ShouldBe(1);
        // The others found the rights saved (unchanged) or lost the race to the unique id and were refused, nothing saved.
        results.ShouldAllBe(r => r.Applied ? r.Added == 3 || r.Unchanged == 3 : r.Problems.Single().Message.StartsWith("Те же записи только что загружены"));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM benefit_rights")).ShouldBe(3);
    }

    [Fact]
    public async Task Change_updates_a_right_and_close_ends_it_the_day_after_its_last_day()
    {
        var (cs, _, _, _) = await RegionAsync();
        (await ImportAsync(cs, File(Ivanov(), Fedorova()))).Applied.ShouldBeTrue();

        var delta = File(
            Ivanov("R-1", ("Action", "CHANGE"), ("Rate", "0.3"), ("FamilySize", "3")),
            Fedorova(("Action", "CLOSE"), ("ValidTo", "30.06.2026")));
        var result = await ImportAsync(cs, delta, "OPENERC_BENREG_ERC66_USZN01_202606_001.csv");

        result.Problems.ShouldBeEmpty();
        (result.Added, result.Changed, result.Closed, result.Unchanged).ShouldBe((0, 1, 1, 0));
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), OneFlatRegion.Clock);
        var rights = await db.BenefitRights.AsNoTracking().OrderBy(r => r.UsznRightId).ToListAsync(Ct);
        (rights[0].Rate, rights[0].FamilySize, rights[0].ValidTo).ShouldBe((0.3m, 3, null));
        rights[1].ValidTo.ShouldBe(new DateOnly(2026, 7, 1));
        (await Sql.ScalarAsync<string>(cs, "SELECT reason FROM audit_entries WHERE entity_type = 'BenefitRight' ORDER BY id DESC LIMIT 1"))
            .ShouldBe("реестр УСЗН OPENERC_BENREG_ERC66_USZN01_202606_001.csv");

        // Closed again on the same day: nothing to do.
        var closeAgain = await ImportAsync(cs, File(Fedorova(("Action", "CLOSE"), ("ValidTo", "30.06.2026"))));
        (closeAgain.Closed, closeAgain.Unchanged).ShouldBe((0, 1));
    }

    [Fact]
    public async Task A_malformed_registry_is_refused_whole_with_its_error_report()
    {
        var (cs, _, _, _) = await RegionAsync();
        var file = File(Ivanov(), Fedorova(("Rate", "1.5")), Kuznetsov(("BirthDate", "31.02.1955")));

        var result = await ImportAsync(cs, file);

        result.Applied.ShouldBeFalse();
        result.Problems.Select(p => (p.Line, p.Code, p.Message.Split(':')[0])).ShouldBe(
            [(3, BenefitRowError.BadFormat, "Rate"), (4, BenefitRowError.BadFormat, "BirthDate")]);
        result.BenerrName.ShouldBe("OPENERC_BENERR_ERC66_USZN01_202605_001.csv");
        var report = Encoding.UTF8.GetString(result.Benerr!);
        report.ShouldContain("R-2;" + Number + ";3;BAD_FORMAT;");
        report.ShouldContain("#TRAILER;2;0.00");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM benefit_rights")).ShouldBe(0);
    }

    [Fact]
    public async Task Unknown_accounts_people_who_do_not_live_there_second_grounds_and_unknown_categories_refuse_the_file_with_every_reason()
    {
        var (cs, _, _, _) = await RegionAsync();
        (await ImportAsync(cs, File(Ivanov()))).Applied.ShouldBeTrue();

        var file = File(
            Fedorova(),                                                                               // 2: fine on its own
            Row("R-4", "Петров", "Пётр", "Петрович", "01.01.1970", ("AccountNumber", "999999999")),  // 3: no such account
            Row("R-5", "Сидоров", "Сергей", "Сергеевич", "01.01.1960"),                            // 4: lives elsewhere
            Ivanov("R-6", ("ValidFrom", "01.07.2026")),                                             // 5: R-1 of the database holds
            Kuznetsov(),                                                                              // 6: first right of his — fine
            Kuznetsov(("RightId", "R-7"), ("ValidFrom", "01.12.2026"), ("CategoryCode", "INV")),   // 7: overlaps line 6
            Row("R-8", "Фёдорова", "Алёна", "Петровна", "05.05.1948", ("CategoryCode", "NO_SUCH"), ("ValidFrom", "01.01.2027")), // 8: no category
            Row("R-9", "Фёдорова", "Алёна", "Петровна", "04.05.1948", ("ValidFrom", "01.01.2027")), // 9: another birth date
            Fedorova(("RightId", "R-10"), ("Services", "COMMUNAL,TKO")));                           // 10: ТКО is not billed here

        var result = await ImportAsync(cs, file);

        result.Applied.ShouldBeFalse();
        result.Rows.ShouldBe(9);
        result.Problems.Select(p => (p.Line, p.RightId, p.Code)).ShouldBe(
        [
            (3, "R-4", BenefitRowError.AccountNotFound),
            (4, "R-5", BenefitRowError.PersonNotResident),
            (5, "R-6", BenefitRowError.DuplicateGround),
            (7, "R-7", BenefitRowError.DuplicateGround),
            (8, "R-8", BenefitRowError.BadFormat),
            (9, "R-9", BenefitRowError.PersonNotResident),
            (10, "R-10", BenefitRowError.ServiceNotBilled),
        ]);
        result.Problems[0].Message.ShouldBe("Лицевой счёт 999999999 не найден");
        result.Problems[1].Message.ShouldBe($"Сидоров Сергей Сергеевич (01.01.1960 г. р.) не зарегистрирован, не собственник и не плательщик по лицевому счёту {Number} с 01.05.2026");
        result.Problems[2].Message.ShouldBe("ИВАНОВ иван Иванович (12.03.1950 г. р.): в картотеке уже есть право УСЗН R-1 (VET_TRUDA, с 01.05.2026) — по одному основанию в одно время");
        result.Problems[3].Message.ShouldContain("право R-3 (строка 6, KR70) действует в те же дни");
        result.Problems[4].Message.ShouldBe("CategoryCode: категории «NO_SUCH» на 01.01.2027 нет в справочнике категорий льготников");
        result.Problems[6].Message.ShouldBe($"Services: по лицевому счёту {Number} с 01.05.2026 не начисляется «Обращение с ТКО» (TKO)");
        var report = Encoding.UTF8.GetString(result.Benerr!);
        foreach (var code in new[] { "ACCOUNT_NOT_FOUND", "PERSON_NOT_RESIDENT", "DUPLICATE_GROUND", "BAD_FORMAT", "SERVICE_NOT_BILLED" }) report.ShouldContain(code);
        report.ShouldContain("#TRAILER;7;0.00");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM benefit_rights")).ShouldBe(1);
    }

    [Fact]
    public async Task Changing_or_closing_a_right_the_centre_does_not_have_is_refused()
    {
        var (cs, _, _, _) = await RegionAsync();
        var result = await ImportAsync(cs, File(Ivanov("R-1", ("Action", "CHANGE")), Fedorova(("Action", "CLOSE"), ("ValidTo", "30.06.2026"))));
        result.Problems.Select(p => (p.Line, p.Message)).ShouldBe(
        [
            (2, "Action: права R-1 нет в картотеке — изменять нечего, сначала ADD"),
            (3, "Action: права R-2 нет в картотеке — закрывать нечего, сначала ADD"),
        ]);
    }

    // SUBDEC: УСЗН's subsidy decisions (our layout), loaded the same way.
    private const string SubdecName = "OPENERC_SUBDEC_ERC66_USZN01_202605_001.csv";

    private static Dictionary<string, string> Subsidy(string decisionId, params (string, string)[] values) => SubdecSample.Row(decisionId, Number, values);

    private static Task<UsznImportResult> ImportSubsidiesAsync(string cs, byte[] file, string name = SubdecName) =>
        UsznImport.ImportSubsidiesAsync(cs, file, name, "ivanova", OneFlatRegion.Clock, Ct);

    private static async Task<List<Core.Benefits.SubsidyDecision>> SubsidiesAsync(string cs)
    {
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), OneFlatRegion.Clock);
        return await db.SubsidyDecisions.AsNoTracking().OrderBy(s => s.UsznDecisionId).ToListAsync(Ct);
    }

    [Fact]
    public async Task Valid_subsidy_decisions_are_recorded_and_the_same_file_again_changes_nothing()
    {
        var (cs, _, _, _) = await RegionAsync();
        var file = SubdecSample.File(
            Subsidy("S-1", ("Snils", "11223344595")),                                                       // Кузнецов by СНИЛС alone
            Subsidy("S-2", ("LastName", "Федорова"), ("FirstName", "алена"), ("MiddleName", "Петровна"),  // by name, «ё» as «е»
                ("Amount", "980.00"), ("ValidFrom", "01.11.2026"), ("ValidTo", "30.04.2027")));

        var result = await ImportSubsidiesAsync(cs, file);

        result.Problems.ShouldBeEmpty();
        (result.Applied, result.Rows, result.Added, result.Changed, result.Closed, result.Unchanged).ShouldBe((true, 2, 2, 0, 0, 0));
        var subsidies = await SubsidiesAsync(cs);
        subsidies.Select(s => (s.UsznDecisionId, s.Amount, s.ValidFrom, s.ValidTo, s.DecisionNumber, s.DecisionDate)).ShouldBe(
        [
            ("S-1", 1250.50m, new DateOnly(2026, 5, 1), (DateOnly?)new DateOnly(2026, 11, 1), "С-S-1", new DateOnly(2026, 4, 20)),
            ("S-2", 980.00m, new DateOnly(2026, 11, 1), new DateOnly(2027, 5, 1), "С-S-2", new DateOnly(2026, 4, 20)),
        ]);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM audit_entries WHERE entity_type = 'SubsidyDecision' AND actor = 'ivanova' AND reason = 'реестр УСЗН " +
            SubdecName + "'")).ShouldBe(2);

        var again = await ImportSubsidiesAsync(cs, file);
        (again.Applied, again.Added, again.Changed, again.Closed, again.Unchanged).ShouldBe((true, 0, 0, 0, 2));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM audit_entries WHERE entity_type = 'SubsidyDecision'")).ShouldBe(2);
    }

    [Fact]
    public async Task Change_updates_a_subsidy_and_close_ends_it_the_day_after_its_last_day()
    {
        var (cs, _, _, _) = await RegionAsync();
        (await ImportSubsidiesAsync(cs, SubdecSample.File(Subsidy("S-1"), Subsidy("S-2", ("ValidFrom", "01.11.2026"), ("ValidTo", "30.04.2027"))))).Applied.ShouldBeTrue();

        var delta = SubdecSample.File(
            Subsidy("S-1", ("Action", "CHANGE"), ("Amount", "1300.00")),
            Subsidy("S-2", ("Action", "CLOSE"), ("ValidFrom", "01.11.2026"), ("ValidTo", "31.01.2027")));
        var result = await ImportSubsidiesAsync(cs, delta, "OPENERC_SUBDEC_ERC66_USZN01_202606_001.csv");

        result.Problems.ShouldBeEmpty();
        (result.Added, result.Changed, result.Closed, result.Unchanged).ShouldBe((0, 1, 1, 0));
        var subsidies = await SubsidiesAsync(cs);
        (subsidies[0].Amount, subsidies[0].ValidTo).ShouldBe((1300.00m, new DateOnly(2026, 11, 1)));
        subsidies[1].ValidTo.ShouldBe(new DateOnly(2027, 2, 1));

        var closeAgain = await ImportSubsidiesAsync(cs, SubdecSample.File(Subsidy("S-2", ("Action", "CLOSE"), ("ValidFrom", "01.11.2026"), ("ValidTo", "31.01.2027"))));
        (closeAgain.Closed, closeAgain.Unchanged).ShouldBe((0, 1));
        var beforeStart = await ImportSubsidiesAsync(cs, SubdecSample.File(Subsidy("S-2", ("Action", "CLOSE"), ("ValidFrom", "01.10.2026"), ("ValidTo", "31.10.2026"))));
        beforeStart.Problems.Single().Message.ShouldBe("ValidTo: 31.10.2026 раньше начала субсидии 01.11.2026");
    }

    [Fact]
    public async Task Unknown_accounts_applicants_who_do_not_live_there_and_overlapping_subsidies_refuse_the_file_with_every_reason()
    {
        var (cs, _, _, _) = await RegionAsync();
        (await ImportSubsidiesAsync(cs, SubdecSample.File(Subsidy("S-1")))).Applied.ShouldBeTrue();

        var file = SubdecSample.File(
            Subsidy("S-2", ("ValidFrom", "01.11.2026"), ("ValidTo", "30.04.2027")),                        // 2: fine on its own
            Subsidy("S-3", ("AccountNumber", "999999999")),                                                // 3: no such account
            Subsidy("S-4", ("LastName", "Сидоров"), ("FirstName", "Сергей"), ("MiddleName", "Сергеевич"),  // 4: lives elsewhere
                ("ValidFrom", "01.05.2027"), ("ValidTo", "31.10.2027")),
            Subsidy("S-5", ("ValidFrom", "01.10.2026"), ("ValidTo", "31.10.2026")),                        // 5: S-1 of the database holds
            Subsidy("S-6", ("ValidFrom", "01.03.2027"), ("ValidTo", "31.08.2027")),                        // 6: overlaps line 2
            Subsidy("S-7", ("Action", "CHANGE"), ("ValidFrom", "01.01.2028"), ("ValidTo", "30.06.2028")), // 7: nothing to change
            Subsidy("S-8", ("Snils", "112-233-445 95"), ("LastName", "Кузнецов"), ("FirstName", "Олег"),   // 8: СНИЛС wins: he lives there
                ("ValidFrom", "01.07.2028"), ("ValidTo", "31.12.2028"), ("Amount", "1000000.01")));         //    but the amount is too large

        var result = await ImportSubsidiesAsync(cs, file);

        result.Applied.ShouldBeFalse();
        result.Rows.ShouldBe(7);
        result.Problems.Select(p => (p.Line, p.RightId, p.Code)).ShouldBe(
        [
            (3, "S-3", BenefitRowError.AccountNotFound),
            (4, "S-4", BenefitRowError.PersonNotResident),
            (5, "S-5", BenefitRowError.SubsidyOverlap),
            (6, "S-6", BenefitRowError.SubsidyOverlap),
            (7, "S-7", BenefitRowError.BadFormat),
            (8, "S-8", BenefitRowError.BadFormat),
        ]);
        result.Problems.Select(p => p.Message).ShouldBe(
        [
            "Лицевой счёт 999999999 не найден",
            $"Заявитель Сидоров Сергей Сергеевич не зарегистрирован, не собственник и не плательщик по лицевому счёту {Number} с 01.05.2027 по 31.10.2027",
            $"По лицевому счёту {Number} в картотеке уже есть субсидия по решению УСЗН S-1 (№ С-S-1, 1250.50 ₽ в месяц, с 01.05.2026 по 31.10.2026) — одна субсидия в одно время",
            $"Решение S-2 (строка 2) по лицевому счёту {Number} действует в те же дни — одна субсидия в одно время",
            "Action: решения S-7 нет в картотеке — изменять нечего, сначала ADD",
            "Amount: Субсидия — не больше 1000000 ₽ в месяц",
        ]);
        result.BenerrName.ShouldBe("OPENERC_BENERR_ERC66_USZN01_202605_001.csv");
        var report = Encoding.UTF8.GetString(result.Benerr!).TrimStart('\uFEFF');
        report.ShouldStartWith("DecisionId;AccountNumber;Line;Code;Message\r\n");
        foreach (var code in new[] { "ACCOUNT_NOT_FOUND", "PERSON_NOT_RESIDENT", "SUBSIDY_OVERLAP", "BAD_FORMAT" }) report.ShouldContain(code);
        report.ShouldContain("#TRAILER;6;0.00");
        (await SubsidiesAsync(cs)).Select(s => s.UsznDecisionId).ShouldBe(["S-1"]);
    }

    [Fact]
    public async Task A_malformed_subsidy_file_is_refused_before_the_database_with_its_error_report()
    {
        var (cs, _, _, _) = await RegionAsync();
        var result = await ImportSubsidiesAsync(cs, SubdecSample.File(Subsidy("S-1", ("ValidFrom", "15.05.2026"))));
        result.Applied.ShouldBeFalse();
        result.Rows.ShouldBe(0);
        result.Problems.Single().Code.ShouldBe(BenefitRowError.BadDates);
        Encoding.UTF8.GetString(result.Benerr!).ShouldContain("S-1;" + Number + ";2;BAD_DATES;ValidFrom: 15.05.2026 — субсидия назначается с 1-го числа месяца");
        (await SubsidiesAsync(cs)).ShouldBeEmpty();
    }
}
