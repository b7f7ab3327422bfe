using System.Text;
using MiniExcelLibs;
using OpenErc.Core.Common;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;
using OpenErc.Exchange.Registries;

namespace OpenErc.Operations.Tests;

/// <summary>Agents' terms, the commission split, transfers per supplier per day (prepared after the day, sent, confirmed) and their registry files.</summary>
public sealed class SupplierTransferTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateOnly June2 = new(2026, 6, 2), June3 = new(2026, 6, 3);

    private static PaymentIntake Intake(long agent, string key, string number, decimal amount) =>
        new(agent, key, PaymentChannel.Registry, number, amount, new DateTimeOffset(2026, 6, 1, 18, 30, 0, TimeSpan.FromHours(3)));

    [Fact]
    public async Task Transfers_are_allocations_less_commissions_per_supplier_per_day_and_go_prepared_sent_confirmed_in_order()
    {
        var cs = await cluster.CreateDatabaseAsync("transfers");
        var (flat, number, parties) = await OneFlatRegion.ChargedWithAgentsAsync(cs, Ct);
        var clock = FixedClock.On(June2);
        var options = new PostingOptions("финансист", Clock: clock.Region);

        // Terms: the bank's 1.2 % out of the payment (recipients pay), the agent's 1.5 % on top (the payer pays).
        await AgentTermsBook.AddAsync(cs, new AgentTerms(parties.BankId, new DateOnly(2026, 1, 1), 1.2m, CommissionPayer.Recipient), "финансист", options.Now, Ct);
        await AgentTermsBook.AddAsync(cs, new AgentTerms(parties.AgentId, new DateOnly(2026, 1, 1), 1.5m, CommissionPayer.Payer), "финансист", options.Now, Ct);
        (await Should.ThrowAsync<PaymentException>(() => AgentTermsBook.AddAsync(cs,
                new AgentTerms(flat.WaterSupplierId, June2, 1m, CommissionPayer.Payer), "финансист", options.Now, Ct)))
            .Message.ShouldBe("Условия комиссии задаются только банку или платёжному агенту");
        (await Should.ThrowAsync<PaymentException>(() => AgentTermsBook.AddAsync(cs,
                new AgentTerms(parties.BankId, new DateOnly(2026, 1, 1), 1m, CommissionPayer.Payer), "финансист", options.Now, Ct)))
            .Message.ShouldBe("У агента уже есть условия с 01.01.2026: новые условия — с более поздней даты");

        var bank1 = await PaymentPosting.PostAsync(cs, Intake(parties.BankId, "B-1", number, 1000.00m), options, Ct);
        var bank2 = await PaymentPosting.PostAsync(cs, Intake(parties.BankId, "B-2", number, 333.33m), options, Ct);
        var agent = await PaymentPosting.PostAsync(cs, Intake(parties.AgentId, "A-1", number, 200.00m), options, Ct);
        (await Sql.ScalarAsync<string>(cs, $"SELECT string_agg(commission::text || '/' || commission_by_payer, ',' ORDER BY id) FROM payments"))
            .ShouldBe("12.00/false,4.00/false,3.00/true");
        // Terms may not start on or before a day already received: those payments keep the old terms.
        (await Should.ThrowAsync<PaymentException>(() => AgentTermsBook.AddAsync(cs,
                new AgentTerms(parties.BankId, June2, 1m, CommissionPayer.Payer), "финансист", options.Now, Ct)))
            .Message.ShouldBe("Платежи агента уже приняты по 02.06.2026 по прежним условиям: новые условия — не ранее 03.06.2026");
        (await AgentTermsBook.ListAsync(cs, parties.BankId, Ct)).ShouldHaveSingleItem().CommissionPercent.ShouldBe(1.2m);

        // Each recipient-paid commission is split over the payment's lines to the kopeck; the payer-paid one is not split.
        foreach (var (payment, commission) in new[] { (bank1, 12.00m), (bank2, 4.00m), (agent, 0m) })
            (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(commission) FROM payment_allocations WHERE payment_id = {payment.PaymentId}")).ShouldBe(commission);

        var day = await SupplierTransfers.ListAsync(cs, June2, June2, ct: Ct);
        day.Select(t => t.SupplierId).Order().ShouldBe(new[] { flat.WaterSupplierId, flat.ManagerId }.Order());
        foreach (var t in day)
        {
            (t.Id, t.State).ShouldBe((null, null));
            t.Amount.ShouldBe(await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE received_on = '2026-06-02' AND supplier_id = {t.SupplierId}"));
            t.Commission.ShouldBe(await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(commission) FROM payment_allocations WHERE received_on = '2026-06-02' AND supplier_id = {t.SupplierId}"));
            t.Net.ShouldBe(t.Amount - t.Commission);
            t.Payments.ShouldBe(3);
        }
        (day.Sum(t => t.Amount), day.Sum(t => t.Commission)).ShouldBe((1533.33m, 16.00m));

        // Today is refused: the day's receipts are not final.
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.PrepareAsync(cs, June2, options, ct: Ct))).Message
            .ShouldBe("Перечисление за 02.06.2026 готовится только после окончания этого дня: платежи дня ещё поступают (ПП № 253 — не позднее рабочего дня, следующего за днём поступления)");
        clock.Set(June3);
        var prepared = await SupplierTransfers.PrepareAsync(cs, June2, options, ct: Ct);
        prepared.Select(t => (t.SupplierId, t.Amount, t.Commission, t.State, t.PreparedBy)).Order()
            .ShouldBe(day.Select(t => (t.SupplierId, t.Amount, t.Commission, (TransferState?)TransferState.Prepared, (string?)"финансист")).Order());
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.PrepareAsync(cs, June2, options, ct: Ct))).Message
            .ShouldBe("Перечисления за 02.06.2026 уже подготовлены");
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.PrepareAsync(cs, new DateOnly(2026, 6, 1), options, ct: Ct))).Message
            .ShouldBe("За 01.06.2026 нет поступлений для перечисления");

        // A reversal today changes today's receipts, never the prepared day.
        await PaymentCorrections.ReverseAsync(cs, agent.PaymentId!.Value, "ошибка агента", options, ct: Ct);
        (await SupplierTransfers.ListAsync(cs, June2, June2, ct: Ct)).Sum(t => t.Amount).ShouldBe(1533.33m);
        (await SupplierTransfers.ListAsync(cs, June3, June3, ct: Ct)).Sum(t => t.Amount).ShouldBe(-200.00m);

        // Sent, then confirmed, each once and in order.
        var water = prepared.Single(t => t.SupplierId == flat.WaterSupplierId);
        long id = water.Id!.Value;
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.ConfirmAsync(cs, id, options, Ct))).Message
            .ShouldBe($"Перечисление №{id} ещё не отправлено: сначала отметьте отправку");
        var sent = await SupplierTransfers.SendAsync(cs, id, options with { PostedBy = "бухгалтер" }, Ct);
        (sent.State, sent.SentBy, sent.SentAt).ShouldBe((TransferState.Sent, "бухгалтер", clock.Now.ToUniversalTime()));
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.SendAsync(cs, id, options, Ct))).Message.ShouldBe($"Перечисление №{id} уже отправлено");
        (await SupplierTransfers.ConfirmAsync(cs, id, options, Ct)).State.ShouldBe(TransferState.Confirmed);
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.SendAsync(cs, id, options, Ct))).Message.ShouldBe($"Перечисление №{id} уже подтверждено");
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.ConfirmAsync(cs, id, options, Ct))).Message.ShouldBe($"Перечисление №{id} уже подтверждено");
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.SendAsync(cs, 999_999, options, Ct))).Message.ShouldBe("Перечисление №999999 не найдено");

        // The centre's balance: the water supplier's day is transferred; the rest is still to transfer.
        var balance = await SupplierTransfers.BalanceAsync(cs, Ct);
        var waterBalance = balance.Suppliers.Single(b => b.SupplierId == flat.WaterSupplierId);
        decimal waterToday = (await SupplierTransfers.ListAsync(cs, June3, June3, flat.WaterSupplierId, Ct)).Single().Net;
        (waterBalance.Transferred, waterBalance.ToTransfer).ShouldBe((water.Net, waterToday));
        var manager = balance.Suppliers.Single(b => b.SupplierId == flat.ManagerId);
        (manager.Transferred, manager.ToTransfer).ShouldBe((0m, manager.Received - manager.Commission));
        balance.Unassigned.ShouldBe(0m);
        balance.Suppliers.Sum(b => b.Received).ShouldBe(1333.33m);
    }

    [Fact]
    public async Task The_registry_files_list_every_line_with_totals_and_read_back()
    {
        var cs = await cluster.CreateDatabaseAsync("transfer_files");
        var (flat, number, parties) = await OneFlatRegion.ChargedWithAgentsAsync(cs, Ct);
        var options = new PostingOptions("финансист", Clock: TestClock.On(June2));
        await AgentTermsBook.AddAsync(cs, new AgentTerms(parties.BankId, new DateOnly(2026, 1, 1), 1.2m, CommissionPayer.Recipient), "финансист", options.Now, Ct);
        await PaymentPosting.PostAsync(cs, Intake(parties.BankId, "B-1", number, 1000.00m) with { Payer = "Иванов; И. И." }, options, Ct);

        var registry = (await SupplierTransfers.RegistryAsync(cs, flat.WaterSupplierId, June2, Ct)).ShouldNotBeNull();
        registry.Lines.ShouldNotBeEmpty();
        registry.Net.ShouldBe((await SupplierTransfers.ListAsync(cs, June2, June2, flat.WaterSupplierId, Ct)).Single().Net);
        TransferRegistryFile.FileName(registry, "csv").ShouldBe("perechislenie_7707083893_2026-06-02.csv");

        var csv = TransferRegistryFile.Csv(registry);
        csv.Take(3).ShouldBe(Encoding.UTF8.GetPreamble());
        var rows = Encoding.UTF8.GetString(csv, 3, csv.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        rows[0].ShouldBe("Дата платежа;Лицевой счёт;Плательщик;Адрес;Услуга;За месяц;Сумма;Комиссия;К перечислению");
        rows.Length.ShouldBe(registry.Lines.Count + 2);
        var line = registry.Lines[0];
        rows[1].ShouldBe($"01.06.2026;{number};\"Иванов; И. И.\";;{line.Service};{line.ServiceMonth};{Ru(line.Amount)};{Ru(line.Commission)};{Ru(line.Net)}");
        rows[^1].ShouldBe($"Итого;;;;;;{Ru(registry.Amount)};{Ru(registry.Commission)};{Ru(registry.Net)}");

        using var xlsx = new MemoryStream(TransferRegistryFile.Xlsx(registry));
        var sheet = MiniExcel.Query(xlsx, useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object>>().ToList();
        sheet.Count.ShouldBe(registry.Lines.Count + 1);
        sheet[0]["Лицевой счёт"].ShouldBe(number);
        sheet[0]["Плательщик"].ShouldBe("Иванов; И. И.");
        Convert.ToDecimal(sheet[0]["Сумма"], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(line.Amount);
        sheet[^1]["Дата платежа"].ShouldBe("Итого");
        Convert.ToDecimal(sheet[^1]["К перечислению"], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(registry.Net);
        Convert.ToDecimal(sheet[^1]["Комиссия"], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(registry.Commission);
    }

    private static string Ru(decimal amount) => amount.ToString("0.00", System.Globalization.CultureInfo.GetCultureInfo("ru-RU"));

    [Fact]
    public async Task A_days_payment_orders_are_a_1c_exchange_file_that_reads_back_and_mark_the_transfers_sent()
    {
        var cs = await cluster.CreateDatabaseAsync("orders");
        var (flat, number, parties) = await OneFlatRegion.ChargedWithAgentsAsync(cs, Ct);
        var clock = FixedClock.On(June2);
        var options = new PostingOptions("финансист", Clock: clock.Region);
        await PaymentPosting.PostAsync(cs, Intake(parties.BankId, "B-1", number, 1000.00m), options, Ct);
        clock.Set(June3);
        var prepared = await SupplierTransfers.PrepareAsync(cs, June2, options, ct: Ct);
        var centre = new Core.Receipts.ReceiptParty("АО «ЕРЦ»", "7728168971", "772801001", null, null, null, "ПАО СБЕРБАНК", "40702810900000000001",
            "044525225", "30101810400000000225");

        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.PaymentOrdersAsync(cs, June2, centre, options, Ct))).Message
            .ShouldStartWith("Нет банковских реквизитов (расчётный счёт, БИК, корр. счёт) у поставщиков: ");
        await Sql.ExecAsync(cs, $"""
            UPDATE organisations SET bank_name = 'АО «АЛЬФА-БАНК»', bik = '044525593', correspondent_account = '30101810200000000593',
                settlement_account = '4070281010000000000' || id % 10 WHERE id IN ({flat.WaterSupplierId}, {flat.ManagerId})
            """);
        var (name, content, count) = await SupplierTransfers.PaymentOrdersAsync(cs, June2, centre, options, Ct);
        (name, count).ShouldBe(("platezhnye_porucheniya_2026-06-02.txt", prepared.Count));

        // The file reads back as valid exchange text: an order per supplier for its net, numbered from 1, from our account.
        var file = Exchange.Banks.ClientBankExchange.Read(content);
        file.Errors.ShouldBeEmpty();
        file.Documents.Select(d => (d.Number, d.Amount, d.PayerAccount, d.Date)).OrderBy(d => d.Number).ShouldBe(
            prepared.OrderBy(t => t.Supplier, StringComparer.Ordinal).Select((t, i) => ((string?)(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                (decimal?)t.Net, (string?)"40702810900000000001", (DateOnly?)June3)).OrderBy(d => d.Item1).ToList());
        file.Documents.ShouldAllBe(d => d["ВидОплаты"] == "01" && d["Очередность"] == "5" && d["ПолучательБИК"] == "044525593");
        (await SupplierTransfers.ListAsync(cs, June2, June2, ct: Ct)).ShouldAllBe(t => t.State == TransferState.Sent);
        (await Sql.ScalarAsync<string>(cs, "SELECT string_agg(order_number::text, ',' ORDER BY order_number) FROM supplier_transfers"))
            .ShouldBe(string.Join(",", Enumerable.Range(1, count)));
        (await Should.ThrowAsync<PaymentException>(() => SupplierTransfers.PaymentOrdersAsync(cs, June2, centre, options, Ct))).Message
            .ShouldBe("За 02.06.2026 нет подготовленных перечислений: подготовьте их на странице «Перечисления»");
    }
}
