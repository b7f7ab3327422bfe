using System.Text;
using OpenErc.Core.Organisations;
using OpenErc.Operations.Payments;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;
using OpenErc.Exchange.Registries;

namespace OpenErc.Operations.Tests;

/// <summary>
/// Payment registries: the file accepted whole or rejected whole with every bad line in Russian and nothing posted,
/// unknown accounts to suspense, the same file twice, both encodings, conflicts, reconciliation and the suspense queue.
/// </summary>
public sealed class PaymentRegistryTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The one account of <see cref="OneFlatRegion"/>.</summary>
    private static readonly string Flat = Core.Accounts.AccountNumber.Create(1);

    /// <summary>A well-formed number of no account.</summary>
    private static readonly string Unknown = Core.Accounts.AccountNumber.Create(777);

    private static readonly Encoding Cp1251 = RegistryParser.Windows1251;

    private sealed record Region(string Cs, OneFlat Flat, long Bank, PostingOptions Options);

    private async Task<Region> RegionAsync(string name)
    {
        var cs = await cluster.CreateDatabaseAsync(name);
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        var bank = new Organisation { Kind = OrganisationKind.Bank, Name = "ПАО «Тестбанк»", ShortName = "Тестбанк", Inn = "7707083893" };
        await OneFlatRegion.RegisterAsync(cs, "тест", Ct, bank);
        return new Region(cs, flat, bank.Id, new PostingOptions("финансист", Clock: TestClock.On(new DateOnly(2026, 6, 3))));
    }

    private static string Line(string operation, string account, string amount, string date = "02-06-2026", string time = "10-15-00",
        string payer = "Иванов Иван Иванович", string period = "052026", string commission = "") =>
        $"{date};{time};8593;8593/0001;{operation};{account};{payer};ул. Ленина, д. 5, кв. 1;{period};{amount};{commission}";

    private static byte[] File(Encoding encoding, params string[] lines) => encoding.GetBytes(string.Join("\r\n", lines) + "\r\n");

    private static Task<RegistryImportReport> ImportAsync(Region region, byte[] content, string fileName = "reestr.txt") =>
        PaymentRegistries.ImportAsync(region.Cs, region.Bank, fileName, content, region.Options, Ct);

    private static string[] Errors(RegistryImportReport report) => report.Errors.Select(e => $"{e.Line?.ToString() ?? "—"}: {e.Reason}").ToArray();

    private static Task<long> CountAsync(Region region, string table) => Sql.ScalarAsync<long>(region.Cs, $"SELECT count(*) FROM {table}");

    [Fact]
    public async Task A_registry_posts_every_line_unknown_accounts_wait_in_suspense_and_the_same_file_again_posts_nothing_new()
    {
        var region = await RegionAsync("reg_accept");
        var file = File(Cp1251,
            Line("1001", Flat, "1500,00", commission: "15,00"),
            Line("1002", Flat, "250.50", date: "02.06.2026", time: "18:30:00", period: ""),
            Line("1003", Unknown, "99,99", payer: "Неизвестный Плательщик"),
            "=3;1850,49;15,00;1835,49");

        var report = await ImportAsync(region, file);
        Errors(report).ShouldBeEmpty();
        report.Encoding.ShouldBe("Windows-1251");
        var r = report.Registry;
        (r.State, r.Lines, r.Total, r.Commission, r.Posted, r.Repeated, r.Suspense, r.RegistryDate)
            .ShouldBe((RegistryState.Accepted, 3, 1850.49m, 15.00m, 2, 0, 1, new DateOnly(2026, 6, 2)));
        report.Notice.ShouldBeNull();
        (await Sql.ScalarAsync<decimal>(region.Cs, $"SELECT sum(amount) FROM payments WHERE account_id = {region.Flat.AccountId}")).ShouldBe(1750.50m);
        (await Sql.ScalarAsync<decimal>(region.Cs, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {region.Flat.AccountId}")).ShouldBe(1750.50m);
        (await Sql.ScalarAsync<string>(region.Cs, "SELECT payer FROM payments WHERE agent_payment_id = '1003' AND account_id IS NULL")).ShouldBe("Неизвестный Плательщик");
        (await Sql.ScalarAsync<decimal>(region.Cs, "SELECT commission FROM payments WHERE agent_payment_id = '1001'")).ShouldBe(15.00m);
        (await Sql.ScalarAsync<DateTime>(region.Cs, "SELECT paid_at FROM payments WHERE agent_payment_id = '1002'"))
            .ShouldBe(new DateTime(2026, 6, 2, 15, 30, 0, DateTimeKind.Utc));
        (await Sql.ScalarAsync<string>(region.Cs, "SELECT period::text FROM payments WHERE agent_payment_id = '1001'")).ShouldBe("2026-05-01");

        var detail = (await PaymentRegistries.GetAsync(region.Cs, r.Id, ct: Ct)).ShouldNotBeNull();
        detail.Lines.Items.Select(l => (l.LineNo, l.OperationId, l.Outcome)).ShouldBe(
            [(1, "1001", RegistryLineOutcome.Posted), (2, "1002", RegistryLineOutcome.Posted), (3, "1003", RegistryLineOutcome.Suspense)]);

        var again = await ImportAsync(region, file, "reestr-повтор.txt");
        again.Accepted.ShouldBeTrue();
        (again.Registry.Posted, again.Registry.Repeated, again.Registry.Suspense).ShouldBe((0, 3, 0));
        // The repeated file's lines point at the payments of the first one.
        (await PaymentRegistries.GetAsync(region.Cs, again.Registry.Id, ct: Ct))!.Lines.Items.Select(l => (l.LineNo, l.PaymentId, l.Outcome)).ShouldBe(
            detail.Lines.Items.Select(l => (l.LineNo, l.PaymentId, RegistryLineOutcome.Repeated)));
        again.Notice.ShouldBe($"Этот файл уже загружался: реестр №{r.Id} от 03.06.2026 12:00. Все платежи реестра уже были приняты ранее: новых платежей нет");
        (await CountAsync(region, "payments")).ShouldBe(3);
        (await Sql.ScalarAsync<decimal>(region.Cs, "SELECT sum(amount) FROM payment_allocations")).ShouldBe(1750.50m);
        (await PaymentRegistries.ListAsync(region.Cs, new RegistryFilter(region.Bank), ct: Ct)).Items.Select(x => x.Id).ShouldBe([again.Registry.Id, r.Id]);
    }

    [Theory]
    [InlineData("utf-8 with BOM")]
    [InlineData("utf-8")]
    [InlineData("windows-1251")]
    public async Task Both_encodings_are_read(string encoding)
    {
        var region = await RegionAsync("reg_enc");
        var text = Line("1", Flat, "100,00", payer: "Ёлкина Анна Сергеевна") + "\r\n=1;100,00\r\n";
        byte[] content = encoding switch
        {
            "utf-8 with BOM" => [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(text)],
            "utf-8" => Encoding.UTF8.GetBytes(text),
            _ => Cp1251.GetBytes(text),
        };
        var report = await ImportAsync(region, content);
        Errors(report).ShouldBeEmpty();
        report.Encoding.ShouldBe(encoding == "windows-1251" ? "Windows-1251" : "UTF-8");
        (await Sql.ScalarAsync<string>(region.Cs, "SELECT payer FROM payments")).ShouldBe("Ёлкина Анна Сергеевна");
    }

    public static TheoryData<string, string[], string[]> Malformed => new()
    {
        {
            "footer total does not match",
            [Line("1", Flat, "100,00"), Line("2", Flat, "200,00"), "=2;350,00;0,00"],
            ["3: Сумма платежей в итоговой строке (350,00) не совпадает с суммой строк реестра (300,00)"]
        },
        {
            "footer count does not match",
            [Line("1", Flat, "100,00"), Line("2", Flat, "200,00"), "=3;300,00"],
            ["3: Число платежей в итоговой строке (3) не совпадает с числом строк реестра (2)"]
        },
        {
            "footer commission does not match",
            [Line("1", Flat, "100,00", commission: "1,00"), "=1;100,00;2,00"],
            ["2: Сумма комиссии в итоговой строке (2,00) не совпадает с суммой строк реестра (1,00)"]
        },
        {
            "truncated: no footer",
            [Line("1", Flat, "100,00"), Line("2", Flat, "200,00")],
            ["—: Нет итоговой строки «=число;сумма;…»: файл обрезан или передан не полностью"]
        },
        {
            "negative and zero amounts, every bad line reported",
            [Line("1", Flat, "-5,00"), Line("2", Flat, "100,00"), Line("3", Flat, "0,00"), Line("4", Flat, "12,345"), "=4;107,35"],
            ["1: Сумма платежа должна быть больше нуля: «-5,00»", "3: Сумма платежа должна быть больше нуля: «0,00»",
             "4: Сумма платежа — рубли с копейками, не больше двух знаков после точки: «12,345»"]
        },
        {
            "bad amount",
            [Line("1", Flat, "сто"), "=1;100,00"],
            ["1: Неверная сумма платежа «сто»"]
        },
        {
            "bad date and time",
            [Line("1", Flat, "100,00", date: "31-02-2026"), Line("2", Flat, "100,00", time: "25-61-00"), Line("3", Flat, "100,00", date: "05-06-2026"), "=3;300,00"],
            ["1: Неверная дата платежа «31-02-2026»: нужна ДД-ММ-ГГГГ или ДД.ММ.ГГГГ", "2: Неверное время платежа «25-61-00»: нужно ЧЧ-ММ-СС или ЧЧ:ММ:СС",
             "3: Дата платежа 05.06.2026 позже сегодняшней (03.06.2026)"]
        },
        {
            // A registry may come late, but not a year late (OpenErc:Payments:RegistryMaxAgeDays, 365): a mistyped year.
            "dated too far back, or outside the calendar",
            [Line("1", Flat, "100,00", date: "01-06-2015"), Line("2", Flat, "100,00", date: "02-06-2025"), Line("3", Flat, "100,00", date: "03-06-2025"),
             Line("4", Flat, "100,00", date: "01-01-0001", time: "00-00-00"), "=4;400,00"],
            ["1: Дата платежа 01.06.2015 слишком давняя: принимаются платежи не старше 365 дн., с 03.06.2025",
             "2: Дата платежа 02.06.2025 слишком давняя: принимаются платежи не старше 365 дн., с 03.06.2025",
             "4: Неверная дата платежа «01-01-0001»: вне календаря"]
        },
        {
            // The account was opened on 16.04.2026: nobody pays for it before, so the date or the account is wrong.
            "dated before the account was opened",
            [Line("1", Flat, "100,00", date: "16-04-2026", time: "00-00-00"), Line("2", Flat, "100,00", date: "15-04-2026", time: "23-59-59"), "=2;200,00"],
            [$"2: Дата платежа 15.04.2026 раньше открытия лицевого счёта {Flat} (16.04.2026)"]
        },
        {
            "bad account numbers",
            [Line("1", "12345", "100,00"), Line("2", "0000000011", "100,00"), "=2;200,00"],
            ["1: Номер лицевого счёта должен состоять из 10 цифр: «12345»", "2: Неверная контрольная цифра номера лицевого счёта: «0000000011»"]
        },
        {
            "duplicate operation id, missing operation id",
            [Line("7", Flat, "100,00"), Line("7", Flat, "100,00"), Line(" ", Flat, "100,00"), "=3;300,00"],
            ["2: Номер операции 7 повторяется: он уже есть в строке 1", "3: Не указан номер операции"]
        },
        {
            "bad period",
            [Line("1", Flat, "100,00", period: "132026"), "=1;100,00"],
            ["1: Неверный период оплаты «132026»: нужен ММГГГГ"]
        },
        {
            "too few fields and lines after the footer",
            ["02-06-2026;10-15-00;8593", Line("2", Flat, "100,00"), "=2;100,00", Line("3", Flat, "1,00")],
            ["1: Полей через «;» в строке: 3, а нужно не меньше 10", "4: После итоговой строки не должно быть строк"]
        },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_registry_is_rejected_whole_with_every_bad_line_and_posts_nothing(string what, string[] lines, string[] errors)
    {
        var region = await RegionAsync("reg_bad");
        var report = await ImportAsync(region, File(Cp1251, lines));
        Errors(report).ShouldBe(errors, what);
        report.Registry.State.ShouldBe(RegistryState.Rejected);
        (await CountAsync(region, "payments")).ShouldBe(0);
        (await CountAsync(region, "payment_allocations")).ShouldBe(0);
        (await CountAsync(region, "payment_registry_lines")).ShouldBe(0);
        (await Sql.ScalarAsync<string>(region.Cs, "SELECT state || ' ' || jsonb_array_length(errors) FROM payment_registries")).ShouldBe($"rejected {errors.Length}");
        var detail = (await PaymentRegistries.GetAsync(region.Cs, report.Registry.Id, ct: Ct)).ShouldNotBeNull();
        detail.Errors.ShouldBe(report.Errors);
    }

    [Fact]
    public async Task Lines_with_an_earlier_systems_number_or_the_els_are_the_accounts_payments_and_an_unknown_odd_number_is_an_error()
    {
        var region = await RegionAsync("reg_alias");
        await OneFlatRegion.RegisterAsync(region.Cs, "импорт", Ct,
            new Core.Accounts.AccountAlias { AccountId = region.Flat.AccountId, Kind = Core.Accounts.AliasKind.Legacy, Number = "ЛС-0042", Source = "Квадо" },
            new Core.Accounts.AccountAlias { AccountId = region.Flat.AccountId, Kind = Core.Accounts.AliasKind.Unified, Number = "75ДА533315" });
        var report = await ImportAsync(region, File(Cp1251,
            Line("2001", "ЛС-0042", "100,00"),
            Line("2002", "75да533315", "200,00"),
            "=2;300,00;0,00;300,00"));
        Errors(report).ShouldBeEmpty();
        (report.Registry.Posted, report.Registry.Suspense).ShouldBe((2, 0));
        (await Sql.ScalarAsync<decimal>(region.Cs, $"SELECT sum(amount) FROM payments WHERE account_id = {region.Flat.AccountId}")).ShouldBe(300.00m);
        (await Sql.ScalarAsync<long>(region.Cs, $"SELECT count(*) FROM payments WHERE account_number = '{Flat}'")).ShouldBe(2);

        // A number that is neither the centre's form nor anybody's other number stays an error of its line.
        var unknown = await ImportAsync(region, File(Cp1251, Line("2003", "ЛС-0043", "1,00"), "=1;1,00;0,00;1,00"), "reestr2.txt");
        Errors(unknown).Single().ShouldStartWith("1: ");
        Errors(unknown).Single().ShouldEndWith("«ЛС-0043»");
    }

    [Fact]
    public async Task A_bank_statement_matches_each_agents_transfer_to_its_registries_and_shows_the_registry_whose_money_is_missing()
    {
        var region = await RegionAsync("reg_statement");
        const string Ours = "40702810900000000001";
        // Two registries of 01.06 and 02.06 (1 500 less 15 commission, and 250.50), and one of 27.05 paid by nobody.
        (await ImportAsync(region, File(Cp1251, Line("3001", Flat, "1500,00", date: "01-06-2026", commission: "15,00"), "=1;1500,00;15,00;1485,00"), "r1.txt"))
            .Accepted.ShouldBeTrue();
        (await ImportAsync(region, File(Cp1251, Line("3002", Flat, "250,50", date: "02-06-2026"), "=1;250,50;0,00;250,50"), "r2.txt")).Accepted.ShouldBeTrue();
        (await ImportAsync(region, File(Cp1251, Line("3003", Flat, "99,00", date: "27-05-2026"), "=1;99,00;0,00;99,00"), "r3.txt")).Accepted.ShouldBeTrue();

        string Statement(string closing) => $"""
            1CClientBankExchange
            ВерсияФормата=1.03
            Кодировка=Windows
            ДатаНачала=03.06.2026
            ДатаКонца=03.06.2026
            РасчСчет={Ours}
            СекцияРасчСчет
            ДатаНачала=03.06.2026
            ДатаКонца=03.06.2026
            РасчСчет={Ours}
            НачальныйОстаток=0.00
            ВсегоПоступило=1835.50
            ВсегоСписано=0.00
            КонечныйОстаток={closing}
            КонецРасчСчет
            СекцияДокумент=Платежное поручение
            Номер=901
            Дата=03.06.2026
            Сумма=1735.50
            ПлательщикСчет=30301810000000000123
            ПлательщикИНН=7707083893
            Плательщик1=ПАО «Тестбанк»
            ПолучательСчет={Ours}
            ДатаПоступило=03.06.2026
            НазначениеПлатежа=Платежи населения за 01.06.2026 и 02.06.2026
            КонецДокумента
            СекцияДокумент=Платежное поручение
            Номер=15
            Дата=03.06.2026
            Сумма=100.00
            ПлательщикСчет=40702810500000000777
            ПлательщикИНН=6611111111
            ПолучательСчет={Ours}
            ДатаПоступило=03.06.2026
            НазначениеПлатежа=Оплата за ЖКУ по счёту
            КонецДокумента
            КонецФайла
            """.Replace("\n", "\r\n");

        // Broken arithmetic: kept as rejected, nothing matched.
        var broken = await BankStatements.ImportAsync(region.Cs, "vypiska.txt", Cp1251.GetBytes(Statement("1835.00")), Ours, "финансист", region.Options.Clock, Ct);
        broken.Id.ShouldBeNull();
        broken.Errors.ShouldBe([$"Счёт {Ours}: остаток 0.00 + поступило 1835.50 − списано 0.00 ≠ остатку 1835.00"]);
        (await CountAsync(region, "bank_statement_matches")).ShouldBe(0);

        var report = await BankStatements.ImportAsync(region.Cs, "vypiska.txt", Cp1251.GetBytes(Statement("1835.50")), Ours, "финансист", region.Options.Clock, Ct);
        report.Errors.ShouldBeEmpty();
        // The bank's 1 735.50 = 1 485.00 (01.06, net of its commission) + 250.50 (02.06): two consecutive days; the other payer is no agent.
        report.Credits.Select(c => (c.Number, c.Amount, c.Agent, c.Registries.Count)).ShouldBe([("901", 1735.50m, "Тестбанк", 2), ("15", 100.00m, (string?)null, 0)]);
        var funds = report.Registries.Select(r => (r.Day, r.Expected, r.Matched, r.CreditNumber, r.Overdue)).ToList();
        funds.ShouldBe(
        [
            (new DateOnly(2026, 5, 27), 99.00m, false, (string?)null, true),
            (new DateOnly(2026, 6, 1), 1485.00m, true, "901", false),
            (new DateOnly(2026, 6, 2), 250.50m, true, "901", false),
        ]);

        // The same statement again changes nothing.
        var again = await BankStatements.ImportAsync(region.Cs, "vypiska.txt", Cp1251.GetBytes(Statement("1835.50")), Ours, "финансист", region.Options.Clock, Ct);
        again.Errors.Single().ShouldStartWith($"Эта выписка уже загружена: № {report.Id}");
        (await CountAsync(region, "bank_statement_matches")).ShouldBe(2);

        // The bank view (reports.md §3): of the 1 834.50 credited by the registries the statement confirmed 1 735.50; the
        // 99.00 of 27.05 is the difference. The agents' view: paid on Wednesday 27.05 and received on 03.06, that registry
        // came after the third working day (01.06); with a term of one working day 01.06's came late too (due 02.06).
        var clock = region.Options.Clock;
        Task<ReportResult> Form(string code, Dictionary<string, string?> query) =>
            ReportResult.FormAsync(region.Cs, code, query, new(2026, 6), new(2026, 6), clock, Ct);
        var banks = await Form("PAY_BANKS", new() { ["from"] = "2026-05", ["to"] = "2026-06", ["group"] = "agent" });
        banks.Figures(banks.Rows.Single(), "credited", "statement", "difference").ShouldBe([1834.50m, 1735.50m, 99.00m]);
        var agents = await Form("PAY_AGENTS", new() { ["from"] = "2026-05", ["to"] = "2026-06", ["group"] = "agent" });
        agents.Figures(agents.Rows.Single(), "count", "lateCount", "lateAmount").ShouldBe([3m, 1m, 99.00m]);
        var strict = await Form("PAY_AGENTS", new() { ["from"] = "2026-05", ["to"] = "2026-06", ["group"] = "agent", ["term"] = "1" });
        strict.Figures(strict.Rows.Single(), "lateCount", "lateAmount").ShouldBe([2m, 1599.00m]);
    }

    [Fact]
    public async Task Text_in_a_wrong_encoding_is_an_error_of_its_line()
    {
        var region = await RegionAsync("reg_mojibake");
        // A Windows-1251 file with one line pasted from a UTF-8 file, and a name already spoiled by a bad conversion.
        byte[] content =
        [
            .. Cp1251.GetBytes(Line("1", Flat, "100,00") + "\r\n"),
            .. Encoding.UTF8.GetBytes(Line("2", Flat, "100,00", payer: "Петров Пётр") + "\r\n"),
            .. Cp1251.GetBytes("=2;200,00\r\n"),
        ];
        Errors(await ImportAsync(region, content)).ShouldBe(
            ["2: ФИО плательщика не читается: файл не в кодировке Windows-1251 или UTF-8", "2: Адрес не читается: файл не в кодировке Windows-1251 или UTF-8"]);
        var spoiled = File(Encoding.UTF8, Line("1", Flat, "100,00", payer: "Петров \uFFFD\uFFFD"), "=1;100,00");
        Errors(await ImportAsync(region, spoiled)).ShouldBe(["1: ФИО плательщика не читается: файл не в кодировке Windows-1251 или UTF-8"]);
        (await CountAsync(region, "payments")).ShouldBe(0);
    }

    [Fact]
    public async Task An_operation_id_already_posted_with_another_amount_rejects_the_registry_and_nothing_of_it_is_posted()
    {
        var region = await RegionAsync("reg_conflict");
        var online = await PaymentPosting.PostAsync(region.Cs, new PaymentIntake(region.Bank, "77", PaymentChannel.Sber, Flat, 100m,
            new DateTimeOffset(2026, 6, 2, 9, 0, 0, TimeSpan.FromHours(3))), region.Options, Ct);
        online.Outcome.ShouldBe(PostingOutcome.Posted);

        var report = await ImportAsync(region, File(Cp1251, Line("76", Flat, "50,00"), Line("77", Flat, "150,00"), "=2;200,00"));
        report.Registry.State.ShouldBe(RegistryState.Rejected);
        Errors(report).ShouldBe([$"2: Платёж с номером 77 уже принят на другой счёт или сумму: ЛС {Flat}, 100.00 ₽"]);
        (await CountAsync(region, "payments")).ShouldBe(1);
        (await CountAsync(region, "payment_registry_lines")).ShouldBe(0);
        (await Sql.ScalarAsync<long>(region.Cs, "SELECT count(*) FROM payment_registries WHERE state = 'rejected'")).ShouldBe(1);
    }

    [Fact]
    public async Task A_registry_and_the_same_payments_sent_online_at_once_post_each_payment_once()
    {
        var region = await RegionAsync("reg_race");
        const int n = 200;
        var keys = Enumerable.Range(1, n).Select(i => $"C{i}").ToArray();
        var file = File(Cp1251, [.. keys.Select(k => Line(k, Flat, "10,00")), $"={n};{n * 10},00"]);
        var paidAt = new DateTimeOffset(2026, 6, 2, 10, 15, 0, TimeSpan.FromHours(3));

        // The bank sends every payment online while its registry of the same payments is being imported.
        var registry = Task.Run(() => ImportAsync(region, file), Ct);
        var online = keys.Chunk(10).Select(batch => Task.Run(async () =>
        {
            var outcomes = new List<PostingOutcome>();
            foreach (var key in batch)
                outcomes.Add((await PaymentPosting.PostAsync(region.Cs, new PaymentIntake(region.Bank, key, PaymentChannel.Sber, Flat, 10m, paidAt),
                    region.Options, Ct)).Outcome);
            return outcomes;
        }, Ct)).ToList();
        var report = await registry;
        var answers = (await Task.WhenAll(online)).SelectMany(o => o).ToList();

        report.Accepted.ShouldBeTrue(string.Join("; ", Errors(report)));
        answers.ShouldAllBe(o => o == PostingOutcome.Posted || o == PostingOutcome.Repeated);
        (report.Registry.Posted + report.Registry.Repeated).ShouldBe(n);
        report.Registry.Repeated.ShouldBe(answers.Count(o => o == PostingOutcome.Posted));
        (await CountAsync(region, "payments")).ShouldBe(n);
        (await Sql.ScalarAsync<long>(region.Cs, "SELECT count(DISTINCT agent_payment_id) FROM payments")).ShouldBe(n);
        (await Sql.ScalarAsync<decimal>(region.Cs, "SELECT sum(amount) FROM payment_allocations")).ShouldBe(n * 10m);
    }

    [Fact]
    public async Task Reconciliation_shows_the_online_payment_the_bank_did_not_list()
    {
        var region = await RegionAsync("reg_reconcile");
        var june2 = new DateOnly(2026, 6, 2);
        foreach (var key in new[] { "O1", "O2" })
            await PaymentPosting.PostAsync(region.Cs, new PaymentIntake(region.Bank, key, PaymentChannel.Sber, Flat, 300m,
                new DateTimeOffset(2026, 6, 2, 23, 30, 0, TimeSpan.FromHours(3))), region.Options, Ct);
        // The registry confirms O2 and brings one more payment; O1 is not listed.
        var report = await ImportAsync(region, File(Cp1251, Line("O2", Flat, "300,00", time: "23-30-00"), Line("R1", Flat, "50,00"), "=2;350,00"));
        report.Accepted.ShouldBeTrue();
        (await PaymentRegistries.GetAsync(region.Cs, report.Registry.Id, ct: Ct))!.Lines.Items.Select(l => (l.LineNo, l.OperationId, l.Outcome))
            .ShouldBe([(1, "O2", RegistryLineOutcome.Repeated), (2, "R1", RegistryLineOutcome.Posted)]);

        var day = (await PaymentReconciliation.DaysAsync(region.Cs, june2, june2.AddDays(1), region.Options.Clock, ct: Ct)).ShouldHaveSingleItem();
        day.ShouldBe(new ReconciliationDay(region.Bank, "Тестбанк", june2, 2, 350m, 3, 650m, 1));
        day.Difference.ShouldBe(300m);
        var difference = (await PaymentReconciliation.DifferencesAsync(region.Cs, region.Bank, june2, region.Options.Clock, Ct)).ShouldHaveSingleItem();
        (difference.Kind, difference.OperationId, difference.Channel, difference.ListedAmount, difference.PostedAmount)
            .ShouldBe((DifferenceKind.NotListed, "O1", PaymentChannel.Sber, null, 300m));
        (await PaymentReconciliation.DaysAsync(region.Cs, june2.AddDays(1), june2.AddDays(2), region.Options.Clock, region.Bank, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_suspense_payment_is_found_by_payer_or_address_and_resolved_onto_the_account()
    {
        var region = await RegionAsync("reg_suspense");
        var report = await ImportAsync(region, File(Cp1251, Line("S1", Unknown, "99,99", payer: "Сидоров Пётр Алексеевич"), "=1;99,99"));
        report.Registry.Suspense.ShouldBe(1);

        var queue = await SuspenseQueue.ListAsync(region.Cs, ct: Ct);
        var waiting = queue.Items.ShouldHaveSingleItem();
        (waiting.AccountNumber, waiting.Amount, waiting.Payer, waiting.Agent, waiting.RegistryId, waiting.LineNo)
            .ShouldBe((Unknown, 99.99m, "Сидоров Пётр Алексеевич", "Тестбанк", report.Registry.Id, 1));
        (await SuspenseQueue.ListAsync(region.Cs, "сидоров ленина", ct: Ct)).Total.ShouldBe(1);
        (await SuspenseQueue.ListAsync(region.Cs, "Петров", ct: Ct)).Total.ShouldBe(0);

        await PaymentCorrections.ResolveAsync(region.Cs, waiting.Id, Flat, "Звонок плательщика: ЛС указан с ошибкой", region.Options, Ct);
        (await SuspenseQueue.ListAsync(region.Cs, ct: Ct)).Total.ShouldBe(0);
        (await Sql.ScalarAsync<decimal>(region.Cs, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {region.Flat.AccountId}")).ShouldBe(99.99m);
        var line = (await PaymentRegistries.GetAsync(region.Cs, report.Registry.Id, ct: Ct))!.Lines.Items.ShouldHaveSingleItem();
        (line.Outcome, line.ResolvedTo).ShouldBe((RegistryLineOutcome.Suspense, Flat));
    }

    [Fact]
    public async Task An_agent_registry_profile_comes_from_configuration()
    {
        var region = await RegionAsync("reg_profile");
        await Sql.ExecAsync(region.Cs, $"""
            INSERT INTO payment_agent_terms (agent_id, valid_from, commission_percent, commission_paid_by, registry_profile, recorded_by)
            VALUES ({region.Bank}, '2026-01-01', 1.5, 'recipient', 'city', 'тест')
            """);
        var city = RegistryProfile.Sber with
        {
            Separator = '|', DateFormats = ["yyyy-MM-dd"], Time = null, OperationId = 1, Account = 2, Payer = null, Address = null, Period = null, Amount = 3,
            Commission = null, HeaderLines = 1, FooterPrefix = "ИТОГО|", FooterCommission = null,
        };
        var content = File(Encoding.UTF8, "дата|операция|лс|сумма", $"2026-06-01|A-1|{Flat}|200.00", $"2026-06-02|A-2|{Flat}|100,00", "ИТОГО|2|300.00");

        var refused = await Should.ThrowAsync<PaymentException>(() => ImportAsync(region, content));
        refused.Message.ShouldBe("Формат реестров «city» из условий агента не настроен (OpenErc:Payments:RegistryProfiles)");

        var report = await PaymentRegistries.ImportAsync(region.Cs, region.Bank, "city.txt", content, region.Options, Ct,
            new RegistryProfiles(new Dictionary<string, RegistryProfile> { ["city"] = city }));
        Errors(report).ShouldBeEmpty();
        (report.Registry.Posted, report.Registry.Total).ShouldBe((2, 300m));
        // No commission in the file: the agent's terms (1.5 %) apply.
        (await Sql.ScalarAsync<decimal>(region.Cs, "SELECT sum(commission) FROM payments")).ShouldBe(4.50m);
    }

    [Fact]
    public async Task Readings_given_with_payments_are_taken_by_the_cabinets_rules_and_a_refused_one_never_refuses_the_payment()
    {
        var region = await RegionAsync("reg_readings");
        await Sql.ExecAsync(region.Cs, $"""
            INSERT INTO payment_agent_terms (agent_id, valid_from, commission_percent, commission_paid_by, registry_profile, recorded_by)
            VALUES ({region.Bank}, '2026-01-01', 0, 'recipient', 'sberpok', 'тест')
            """);
        var withReadings = RegistryProfile.Sber with { ReadingColumns = [[11, 12]] };
        string serial = await Sql.ScalarAsync<string>(region.Cs, $"SELECT serial_number FROM meters WHERE id = {region.Flat.ColdMeterId}");
        // The cold-water meter read 136 on 20.03.2026: 140 is taken; 99 (below it) and «много» are refused, their payments posted.
        var content = File(Cp1251,
            Line("4001", Flat, "100,00", date: "02-06-2026") + $";{serial};140",
            Line("4002", Flat, "100,00", date: "02-06-2026", time: "11-00-00") + $";{serial};99",
            Line("4003", Flat, "100,00", date: "02-06-2026", time: "12-00-00") + $";{serial};много",
            "=3;300,00;0,00;300,00");
        var report = await PaymentRegistries.ImportAsync(region.Cs, region.Bank, "pok.txt", content, region.Options, Ct,
            new RegistryProfiles(new Dictionary<string, RegistryProfile> { ["sberpok"] = withReadings }));
        Errors(report).ShouldBeEmpty();
        report.Registry.Posted.ShouldBe(3);
        report.Notice.ShouldNotBeNull().ShouldStartWith("Показаний в реестре: 3, принято: 1; не приняты — ");
        report.Notice.ShouldContain("строка 3: показание «много» — не число");
        (await Sql.ScalarAsync<decimal>(region.Cs, $"SELECT value FROM meter_readings WHERE meter_id = {region.Flat.ColdMeterId} AND read_on = '2026-06-02'"))
            .ShouldBe(140m);
        (await Sql.ScalarAsync<int>(region.Cs, $"SELECT source FROM meter_readings WHERE meter_id = {region.Flat.ColdMeterId} AND read_on = '2026-06-02'"))
            .ShouldBe((int)Core.Meters.ReadingSource.Bank);
    }

    [Fact]
    public async Task Only_a_bank_or_payment_agent_sends_registries()
    {
        var region = await RegionAsync("reg_agent");
        var refused = await Should.ThrowAsync<PaymentException>(() =>
            PaymentRegistries.ImportAsync(region.Cs, region.Flat.ManagerId, "r.txt", File(Cp1251, "=0;0"), region.Options, Ct));
        refused.Message.ShouldBe($"Организация №{region.Flat.ManagerId} — не банк и не платёжный агент: реестры платежей принимаются только от них");
        (await PaymentRegistries.FindAgentAsync(region.Cs, region.Bank.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct)).ShouldBe(region.Bank);
        (await PaymentRegistries.FindAgentAsync(region.Cs, region.Flat.ManagerId.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_generated_sample_registry_is_accepted()
    {
        var region = await RegionAsync("reg_sample");
        using var stream = new MemoryStream();
        await PaymentRegistries.GenerateSampleAsync(region.Cs, stream, 25, new DateOnly(2026, 6, 2), ct: Ct);
        var report = await ImportAsync(region, stream.ToArray());
        Errors(report).ShouldBeEmpty();
        (report.Registry.Lines, report.Registry.Posted).ShouldBe((25, 25));
        (await Sql.ScalarAsync<decimal>(region.Cs, "SELECT sum(amount) FROM payments")).ShouldBe(report.Registry.Total);
    }
}
