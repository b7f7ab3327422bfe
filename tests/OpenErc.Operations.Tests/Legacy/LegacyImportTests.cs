using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Residents;
using OpenErc.Exchange.Legacy;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests.Legacy;

/// <summary>A Квадо export loaded into the registry: every object as expected, the same file again changes nothing, a later one updates, and a broken one changes nothing.</summary>
public sealed class LegacyImportTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly RegionClock Clock = TestClock.On(new DateOnly(2026, 11, 20));

    private async Task<string> DatabaseAsync(string name)
    {
        var cs = await cluster.CreateDatabaseAsync(name);
        await using var db = Context(cs);
        db.Actor = "тест";
        db.Reason = "тест";
        db.Municipalities.Add(new Municipality { Name = "г. Новоград", Oktmo = "65701000" });
        await db.SaveChangesAsync(Ct);
        return cs;
    }

    private static OpenErcDbContext Context(string cs) => new(OpenErcDatabase.Options(cs), Clock);

    private static async Task<LegacyImportReport> ImportAsync(string cs, IReadOnlyList<(string, byte[])> files, bool dry = false)
    {
        var (region, errors, _) = KvadoExport.Read(files);
        errors.ShouldBeEmpty();
        await using var db = Context(cs);
        return await LegacyImport.ApplyAsync(db, region, new LegacyImportOptions("Квадо", "Новоградская область", DryRun: dry), Clock, Ct);
    }

    [Fact]
    public async Task A_kvado_export_becomes_the_expected_registry_and_the_same_file_again_changes_nothing()
    {
        var cs = await DatabaseAsync("kvado");
        var dry = await ImportAsync(cs, KvadoSample.Files(), dry: true);
        (dry.Applied, dry.Created["Дома"], dry.Created["Лицевые счета"]).ShouldBe((false, 2, 5));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM buildings")).ShouldBe(0);

        var report = await ImportAsync(cs, KvadoSample.Files());
        report.Errors.ShouldBeEmpty();
        report.Applied.ShouldBeTrue();
        report.Created.ShouldBe(new Dictionary<string, int>
        {
            ["Дома"] = 2, ["Помещения"] = 4, ["Лицевые счета"] = 5, ["Граждане"] = 7, ["Собственники"] = 5, ["Регистрации"] = 5,
            ["Число проживающих"] = 4, ["Другие номера счетов"] = 8, ["Приборы учёта"] = 4, ["Показания"] = 4,
            ["Начисления прежней системы"] = 3, ["Оплаты прежней системы"] = 2, ["Документы"] = 1,
        }, ignoreOrder: true);
        report.Warnings.ShouldContain("Входящее сальдо 2 лицевых счетов не проведено: в файле оно без разбивки по услугам и поставщикам — " +
                                      "укажите услугу и поставщика, на которые его отнести");

        await using var db = Context(cs);
        (await db.Buildings.OrderBy(b => b.Id).Select(b => b.Address).ToListAsync(Ct))
            .ShouldBe(["г. Новоград, ул. Ленина, д. 5", "г. Новоград, пр-т Мира, д. 12 корп. 2"]);
        (await db.Buildings.Select(b => b.Region).Distinct().SingleAsync(Ct)).ShouldBe("Новоградская область");
        var communal = await db.Premises.SingleAsync(p => p.Number == "2", Ct);
        (communal.IsCommunalFlat, communal.TotalArea, communal.Kind).ShouldBe((true, 72m, PremiseKind.Residential));
        (await db.Premises.SingleAsync(p => p.Number == "1Н", Ct)).Kind.ShouldBe(PremiseKind.NonResidential);

        // Each account has the centre's own number; the source's, the old one, the ЕЛС and ИЖКУ are its other numbers.
        async Task<PersonalAccount> ByAliasAsync(string number) =>
            await db.Accounts.SingleAsync(a => db.AccountAliases.Any(x => x.AccountId == a.Id && x.Number == number), Ct);
        var orlovs = await ByAliasAsync("0500123");
        AccountNumber.Check(orlovs.Number).ShouldBeNull();
        (await ByAliasAsync("75ДА533315")).Id.ShouldBe(orlovs.Id);
        (await db.AccountAliases.SingleAsync(x => x.Number == "75ДА533315-01", Ct)).Kind.ShouldBe(AliasKind.ServiceId);
        var closed = await ByAliasAsync("77-0099");
        (closed.ClosedOn, closed.OpenedOn).ShouldBe((new DateOnly(2017, 12, 31), new DateOnly(2010, 1, 1)));
        (await ByAliasAsync("0500124")).Share.ShouldBe(0.428611m); // 30.86 of 72 m²
        (await ByAliasAsync("0500125")).Share.ShouldBe(0.571389m);

        // Shared ownership as the fractions say, the payer, the family's registrations, the departure with its slip.
        var owners = await db.Ownerships.Where(o => o.AccountId == orlovs.Id).OrderBy(o => o.Share).Select(o => new { o.Share, o.Document }).ToListAsync(Ct);
        owners.Select(o => (o.Share, o.Document)).ShouldBe([(0.243151m, "Доля 142/584 (импорт из Квадо)"), (0.756849m, "Доля 442/584 (импорт из Квадо)")]);
        (await db.People.SingleAsync(p => p.Id == orlovs.PayerPersonId, Ct)).LastName.ShouldBe("Орлова");
        var passport = await db.IdentityDocuments.SingleAsync(d => d.PersonId == orlovs.PayerPersonId, Ct);
        (passport.Kind, passport.Series, passport.Number, passport.IssuedBy, passport.DivisionCode, passport.IssuedOn).ShouldBe(
            (IdentityDocumentKind.RussianPassport, "6515", "123456", "ГУ МВД России по Новоградской области", "650-001", new DateOnly(2015, 6, 20)));
        var regs = await db.Registrations.Where(r => r.AccountId == orlovs.Id).OrderBy(r => r.PersonId).ToListAsync(Ct);
        regs.Select(r => (r.ValidFrom, r.ValidTo, r.EndReason, r.Relation)).ShouldBe(
        [
            (new DateOnly(2015, 3, 10), (DateOnly?)null, (DeregistrationReason?)null, "собственник"),
            (new DateOnly(2015, 3, 10), new DateOnly(2024, 6, 1), DeregistrationReason.MovedOut, "муж"),
            (new DateOnly(2015, 3, 10), null, null, "дочь"),
        ]);
        regs[1].DepartedTo.ShouldBe("Екатеринбург, ул. Мира, 3");
        var tenant = await db.Registrations.SingleAsync(r => r.Kind == RegistrationKind.Temporary, Ct);
        (tenant.ValidTo, tenant.EndReason).ShouldBe((new DateOnly(2026, 1, 10), DeregistrationReason.TemporaryTermExpired));
        (await db.ResidentCounts.SingleAsync(c => c.AccountId == orlovs.Id, Ct)).Count.ShouldBe(3);

        // Meters with their readings, the electricity one of two zones; the heat meter is the building's.
        var electric = await db.Meters.SingleAsync(m => m.SerialNumber == "Э-777", Ct);
        (electric.Zones, electric.Resource, electric.Digits).ShouldBe((2, Core.Tariffs.Resource.Electricity, 6));
        (await db.MeterReadings.Where(r => r.MeterId == electric.Id).OrderBy(r => r.Zone).Select(r => r.Value).ToListAsync(Ct)).ShouldBe([1500m, 700.5m]);
        (await db.Meters.SingleAsync(m => m.SerialNumber == "ТС-1", Ct)).Kind.ShouldBe(Core.Meters.MeterKind.CommonHouse);
        // The room meter of the communal flat serves the account of its room.
        var room = await db.Meters.SingleAsync(m => m.SerialNumber == "К-2", Ct);
        (room.Kind, room.AccountId).ShouldBe((Core.Meters.MeterKind.CommunalFlat, (await ByAliasAsync("0500125")).Id));

        // The payment by the number of the earlier system lands on the account.
        await using (var conn = new Npgsql.NpgsqlConnection(cs))
        {
            await conn.OpenAsync(Ct);
            (await AccountAliases.MainNumberAsync(conn, "0500123", Ct)).ShouldBe(orlovs.Number);
        }

        // The same files again: nothing created, nothing changed.
        var again = await ImportAsync(cs, KvadoSample.Files());
        (again.Applied, again.Created.Count, again.Changed.Count).ShouldBe((true, 0, 0));

        // A later export with a corrected area updates the premise, with the import as the reason in its history.
        var later = await ImportAsync(cs, KvadoSample.Files(KvadoSample.Houses.Replace("\"overall_area\": \"45.1\"", "\"overall_area\": \"45.3\"")));
        (later.Created.Count, later.Changed["Помещения"]).ShouldBe((0, 1));
        (await Sql.ScalarAsync<string>(cs, "SELECT reason FROM audit_entries WHERE entity_type = 'Premise' AND action = 2 ORDER BY id DESC LIMIT 1"))
            .ShouldBe("Импорт из Квадо");
    }

    /// <summary>A month open (November 2026), the service maintenance and its management company (ИНН 7736050003): where balances go.</summary>
    internal static async Task OpenForBalancesAsync(string cs)
    {
        await using (var db = Context(cs))
        {
            db.Actor = db.Reason = "тест";
            db.Services.Add(new Core.Tariffs.Service
            {
                Code = "maintenance", Name = "Содержание жилого помещения", Kind = Core.Tariffs.ServiceKind.Housing, Resource = Core.Tariffs.Resource.None, Unit = "м²",
            });
            db.Organisations.Add(new Core.Organisations.Organisation
            {
                Kind = Core.Organisations.OrganisationKind.ManagementCompany, Name = "ООО «УК Ленинская»", Inn = "7736050003",
            });
            await db.SaveChangesAsync(Ct);
        }
        await Billing.BillingPeriods.StartAsync(cs, new BillingPeriod(2026, 11), Clock, Ct);
    }

    /// <summary>The opening balances imports brought, per account (by the given number) and service month, in kopecks.</summary>
    internal static async Task<List<(string, DateOnly, long)>> BalancesAsync(string cs)
    {
        var rows = new List<(string, DateOnly, long)>();
        await using var conn = new Npgsql.NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        await using var cmd = new Npgsql.NpgsqlCommand("""
            SELECT (SELECT min(x.number) FROM account_aliases x WHERE x.account_id = l.account_id AND x.kind = 1), l.service_month, sum(l.kopecks)::bigint
            FROM charge_lines l WHERE l.kind = 7 GROUP BY l.account_id, 2 ORDER BY 1, 2
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct)) rows.Add((r.GetString(0), r.GetFieldValue<DateOnly>(1), r.GetInt64(2)));
        return rows;
    }

    [Fact]
    public async Task Opening_balances_enter_the_open_month_and_past_charges_and_payments_are_kept_as_history()
    {
        var cs = await DatabaseAsync("kvado_balances");
        var options = new LegacyImportOptions("Квадо", "Новоградская область", BalanceService: "maintenance", BalanceSupplierInn: "7736050003");
        async Task<LegacyImportReport> Import(string houses)
        {
            var (region, errors, _) = KvadoExport.Read(KvadoSample.Files(houses));
            errors.ShouldBeEmpty();
            await using var db = Context(cs);
            return await LegacyImport.ApplyAsync(db, region, options, Clock, Ct);
        }

        // No open month: the balances cannot be brought, and nothing of the file is.
        var refused = await Import(KvadoSample.Houses);
        (refused.Applied, refused.Errors.Single().Reason).ShouldBe((false, "Расчётный месяц не открыт: входящее сальдо проводится в открытый месяц"));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM personal_accounts")).ShouldBe(0);

        await OpenForBalancesAsync(cs);
        var report = await Import(KvadoSample.Houses);
        report.Errors.ShouldBeEmpty();
        report.Created["Входящее сальдо"].ShouldBe(2);
        // 1 520,35 on 01.10.2026 closes September; the advance of 200,00 has no date and opens November.
        (await BalancesAsync(cs)).ShouldBe([("0500123", new DateOnly(2026, 9, 1), 152035L), ("0600007", new DateOnly(2026, 11, 1), -20000L)]);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_lines WHERE booking_month <> '2026-11-01'")).ShouldBe(0);

        // The month's balances open with them (not as charges or recalculations).
        await using (var conn = new Npgsql.NpgsqlConnection(cs))
        {
            await conn.OpenAsync(Ct);
            await using var cmd = new Npgsql.NpgsqlCommand($"SELECT sum(opening), sum(charged), sum(recalculated), sum(closing) FROM ({Billing.BillingPeriods.BalancesSql()}) b", conn);
            Billing.BillingPeriods.AddBalancesParameters(cmd.Parameters, new BillingPeriod(2026, 11));
            await using var r = await cmd.ExecuteReaderAsync(Ct);
            await r.ReadAsync(Ct);
            (r.GetDecimal(0), r.GetDecimal(1), r.GetDecimal(2), r.GetDecimal(3)).ShouldBe((1320.35m, 0m, 0m, 1320.35m));
        }

        // History: the charges and payments as the source had them, read only.
        long orlovs = await Sql.ScalarAsync<long>(cs, "SELECT account_id FROM account_aliases WHERE number = '0500123'");
        var history = await LegacyHistory.LoadAsync(cs, orlovs, Ct);
        history.Charges.Select(c => (c.Month, c.Service, c.Method, c.Rate, c.Volume, c.Amount, c.Recalculation)).ShouldBe(
        [
            (new BillingPeriod(2026, 10), "Холодное водоснабжение", "counter", (decimal?)48.20m, (decimal?)5.25m, 253.05m, -12.05m),
            (new BillingPeriod(2026, 9), "Содержание жилья", "standard", 28.5m, 58.4m, 1664.4m, 0m),
            (new BillingPeriod(2026, 9), "Холодное водоснабжение", "counter", 48.20m, 5.25m, 253.05m, 0m),
        ]);
        history.Payments.Single().ShouldBe(new LegacyPaymentRow("Квадо", new DateOnly(2026, 10, 12), 1917.45m, new BillingPeriod(2026, 9), "118",
            "ПАО Сбербанк, реестр № 57 от 2026-10-13", null));
        long belov = await Sql.ScalarAsync<long>(cs, "SELECT account_id FROM account_aliases WHERE number = '0600007'");
        (await LegacyHistory.LoadAsync(cs, belov, Ct)).Payments.Single().Comment.ShouldBe("Корректировка: ошибочный платёж");

        // Again: nothing; a later file with another balance brings only the difference.
        var again = await Import(KvadoSample.Houses);
        (again.Created.Count, again.Changed.Count).ShouldBe((0, 0));
        var later = await Import(KvadoSample.Houses.Replace("\"saldo\": \"1520.35\"", "\"saldo\": \"1600.00\""));
        later.Created.ShouldBe(new Dictionary<string, int> { ["Входящее сальдо"] = 1 });
        (await BalancesAsync(cs))[0].ShouldBe(("0500123", new DateOnly(2026, 9, 1), 160000L));
        (await Sql.ScalarAsync<string>(cs, "SELECT note FROM billing_runs ORDER BY id DESC LIMIT 1")).ShouldBe("Импорт из Квадо");
    }

    [Fact]
    public void A_broken_file_is_refused_with_every_reason_and_place()
    {
        string broken = KvadoSample.Houses
            .Replace("\"share\": \"142/584\"", "\"share\": \"142/0\"")
            .Replace("\"premises_type\": \"нежилое\"", "\"premises_type\": \"гараж\"")
            .Replace("\"account\": \"0600007\"", "\"account\": \"0500124\"");
        var (_, errors, _) = KvadoExport.Read(KvadoSample.Files(broken));
        errors.Select(e => e.ToString()).ShouldBe(
        [
            "houses.json: [0].premises[0].accounts[0].residents[0].share: Доля «142/0» не читается: нужна дробь вида 1/2 или 142/584, или десятичная от 0 до 1",
            "houses.json: [1].premises[1].premises_type: «гараж»: неизвестный тип помещения: квартира, совместная квартира, коммунальная квартира, нежилое, кладовая, машиноместо",
            "houses.json: [1].premises[0].accounts[0]: Лицевой счёт «0500124» уже есть в houses.json: [0].premises[1].accounts[0]",
        ], ignoreOrder: true);
        KvadoExport.Read([("houses.json", "[{\"id\": 1, \"address\": "u8.ToArray())]).Errors.Single().Reason.ShouldStartWith("Файл не читается как JSON");
        KvadoExport.Read([("houses.json", [0xCF, 0xF0, 0xE8])]).Errors.Single().Reason.ShouldBe("Файл не в кодировке UTF-8: выгрузка Квадо — JSON в UTF-8");
    }

    [Fact]
    public async Task A_refusal_while_applying_changes_nothing()
    {
        var cs = await DatabaseAsync("kvado_refused");
        // An ЕЛС not of its pattern: the file reads, the registry refuses it — and nothing else of the file is kept.
        var (region, errors, _) = KvadoExport.Read(KvadoSample.Files(KvadoSample.Houses.Replace("\"gis_id\": \"75ДА533315\"", "\"gis_id\": \"75DA533315\"")));
        errors.ShouldBeEmpty();
        await using var db = Context(cs);
        var report = await LegacyImport.ApplyAsync(db, region, new LegacyImportOptions("Квадо", "Новоградская область"), Clock, Ct);
        report.Applied.ShouldBeFalse();
        report.Errors.Single().Reason.ShouldContain("ЕЛС «75DA533315» не по образцу");
        foreach (var table in new[] { "buildings", "premises", "personal_accounts", "people", "account_aliases", "legacy_keys" })
            (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM {table}")).ShouldBe(0, table);
    }

    [Fact]
    public async Task A_dbf_table_of_accounts_in_cp866_imports_through_a_profile()
    {
        var cs = await DatabaseAsync("legacy_dbf");
        Exchange.Dbf.DbfField[] fields =
        [
            new("NLS", 'C', 10, 0), new("ADDRESS", 'C', 60, 0), new("FLAT", 'C', 5, 0), new("S_OBSH", 'N', 8, 2), new("FIO", 'C', 60, 0),
            new("DATE_OPEN", 'D', 8, 0), new("KOLPROG", 'N', 2, 0),
        ];
        object?[][] rows =
        [
            ["10001", "г. Новоград, ул. Садовая, д. 3", "1", 44.5m, "Ёлкина Дарья Петровна", new DateOnly(2012, 4, 1), 2m],
            ["10002", "г. Новоград, ул. Садовая, д. 3", "2", 61.2m, "Щукин Илья", new DateOnly(2013, 1, 15), 3m],
            ["10003", "г. Новоград, ул. Полевая, д. 8, корп. 1", "14", 38m, "Юдина Эльвира Рашидовна", null, 1m],
        ];
        byte[] dbf = Exchange.Dbf.DbfFile.Write(fields, rows, Exchange.Encodings.Cp866, new DateOnly(2026, 11, 1));
        var profile = new AccountTableProfile
        {
            CodePage = "cp866", Account = "nls", Address = "ADDRESS", Flat = "FLAT", Area = "S_OBSH", Payer = "FIO", OpenedOn = "DATE_OPEN",
            Residents = "KOLPROG", DefaultOpenedOn = new DateOnly(2010, 1, 1),
        };
        var (region, errors) = AccountTable.ReadDbf("abon.dbf", dbf, profile);
        errors.ShouldBeEmpty();
        await using var db = Context(cs);
        var report = await LegacyImport.ApplyAsync(db, region, new LegacyImportOptions("DBF", "Новоградская область"), Clock, Ct);
        report.Errors.ShouldBeEmpty();
        (report.Created["Дома"], report.Created["Помещения"], report.Created["Лицевые счета"], report.Created["Граждане"]).ShouldBe((2, 3, 3, 3));

        await using var check = Context(cs);
        var rowsRead = await (from x in check.AccountAliases
                              join a in check.Accounts on x.AccountId equals a.Id
                              join p in check.Premises on a.PremiseId equals p.Id
                              join b in check.Buildings on p.BuildingId equals b.Id
                              join payer in check.People on a.PayerPersonId equals payer.Id
                              orderby x.Number
                              select new { x.Number, b.Address, Flat = p.Number, p.TotalArea, payer.LastName, a.OpenedOn }).ToListAsync(Ct);
        rowsRead.Select(r => (r.Number, r.Address, r.Flat, r.TotalArea, r.LastName, r.OpenedOn)).ShouldBe(
        [
            ("10001", "г. Новоград, ул. Садовая, д. 3", "1", 44.5m, "Ёлкина", new DateOnly(2012, 4, 1)),
            ("10002", "г. Новоград, ул. Садовая, д. 3", "2", 61.2m, "Щукин", new DateOnly(2013, 1, 15)),
            ("10003", "г. Новоград, ул. Полевая, д. 8 корп. 1", "14", 38m, "Юдина", new DateOnly(2010, 1, 1)),
        ]);

        // A profile naming a column the table lacks, and a file cut short, are refused with their reasons.
        AccountTable.ReadDbf("abon.dbf", dbf, profile with { Balance = "SALDO" }).Errors.Single().Reason.ShouldStartWith("В таблице нет поля SALDO профиля");
        AccountTable.ReadDbf("abon.dbf", dbf[..^60], profile).Errors.Single().Reason.ShouldStartWith("Файл обрезан");
    }
}
