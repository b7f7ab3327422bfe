using Npgsql;
using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Core.Receipts;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Cabinet;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Receipts;
using OpenErc.Testing;
using Shouldly;
using UglyToad.PdfPig;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// A housing subsidy on the ЕПД and social support in the citizen cabinet (benefits.md §4): the month's document shows the
/// subsidy in force as information — not a line, not in the totals —, the cabinet lists the account's rights and subsidies.
/// </summary>
public sealed class SocialSupportDocumentTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 3);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod October = new(2026, 10);

    [Fact]
    public async Task The_document_shows_the_subsidy_in_force_as_information_and_the_cabinet_lists_rights_and_subsidies()
    {
        var cs = await cluster.CreateDatabaseAsync("support");
        await DemoRegion.GenerateAsync(cs, new DemoOptions(60, 5, new BillingPeriod(2026, 11)), ct: Ct);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        // Two households without support of their own: one gets a subsidy for September–February, the other nothing.
        var (with, without) = (await AccountsAsync(conn))[..2] switch { var a => (a[0], a[1]) };
        await Sql.ExecAsync(cs, $"""
            DELETE FROM subsidy_decisions WHERE account_id IN ({with.Id}, {without.Id});
            INSERT INTO subsidy_decisions (account_id, amount, valid_from, valid_to, decision_number, decision_date)
            VALUES ({with.Id}, 1880.00, '2026-09-01', '2027-03-01', '77-С/2026', '2026-08-20'),
                   ({with.Id}, 1500.00, '2026-03-01', '2026-09-01', '12-С/2026', '2026-02-18');
            INSERT INTO benefit_rights (person_id, account_id, category_code, covered_persons, valid_from, decision_number, decision_date)
            SELECT payer_person_id, id, 'VET_TRUDA', 1, '2026-06-01', '501-Л/2026', '2026-05-25' FROM personal_accounts WHERE id = {with.Id};
            """);
        (await BillingRun.RunAsync(cs, October, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        await BillingPeriods.CloseAsync(cs, October, Clock, "тест", Ct);

        var document = await ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings(), "тест", Clock.Today, with.Number, October, Ct);
        var subsidy = document.Subsidies.ShouldNotBeNull().ShouldHaveSingleItem();
        subsidy.ShouldBe(new ReceiptSubsidy(1880.00m, "77-С/2026", new DateOnly(2026, 8, 20), new DateOnly(2026, 9, 1), new DateOnly(2027, 3, 1)));
        // Information only: the totals are the ledger's, the subsidy is neither a benefit nor a payment.
        document.Totals.Closing.ShouldBe(await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(closing) FROM account_balances WHERE month = '2026-10-01' AND account_id = {with.Id}"));
        document.Totals.Benefits.ShouldBe(await Sql.ScalarAsync<decimal>(cs,
            $"SELECT coalesce(-sum(kopecks), 0) * 0.01 FROM charge_lines WHERE booking_month = '2026-10-01' AND kind = 8 AND account_id = {with.Id}"));
        (await ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings(), "тест", Clock.Today, without.Number, October, Ct)).Subsidies.ShouldBeNull();

        using (var pdf = PdfDocument.Open(ReceiptPdf.Render(document)))
        {
            var text = string.Concat(pdf.GetPages().SelectMany(p => p.Letters).Select(l => l.Value)).Replace(" ", "").Replace("\u00a0", "").Replace("\u202f", "");
            text.ShouldContain("СубсидиянаоплатуЖКУ:1880,00₽(решение№77-С/2026от20.08.2026),перечисляетУСЗН");
        }
        ReceiptPdf.SubsidyText(subsidy).ShouldBe("Субсидия на оплату ЖКУ: 1\u00a0880,00 ₽ (решение № 77-С/2026 от 20.08.2026), перечисляет УСЗН");

        var support = await CitizenSupport.LoadAsync(conn, with.Id, new DateOnly(2026, 11, 3), Ct);
        var right = support.Rights.ShouldHaveSingleItem();
        (right.Category, right.ValidFrom, right.LastDay, right.InForce, right.DecisionNumber).ShouldBe(
            ("Ветераны труда, труженики тыла, реабилитированные", new DateOnly(2026, 6, 1), (DateOnly?)null, true, "501-Л/2026"));
        right.Mode.ShouldBe(await Sql.ScalarAsync<bool>(cs, $"""
            SELECT EXISTS (SELECT 1 FROM benefit_deliveries d JOIN buildings b ON b.municipality_id = d.municipality_id
                           JOIN premises p ON p.building_id = b.id JOIN personal_accounts a ON a.premise_id = p.id WHERE a.id = {with.Id} AND d.mode = 1)
            """) ? BenefitDeliveryMode.InKind : BenefitDeliveryMode.Cash);
        support.Subsidies.Select(s => (s.Amount, s.LastDay, s.InForce)).ShouldBe(
            [(1880.00m, (DateOnly?)new DateOnly(2027, 2, 28), true), (1500.00m, (DateOnly?)new DateOnly(2026, 8, 31), false)]);
        (await CitizenSupport.LoadAsync(conn, without.Id, new DateOnly(2026, 11, 3), Ct)).Subsidies.ShouldBeEmpty();
    }

    /// <summary>Residential accounts open before October whose households have no right and no subsidy of the demo.</summary>
    private static async Task<List<(long Id, string Number)>> AccountsAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT a.id, a.number FROM personal_accounts a JOIN premises p ON p.id = a.premise_id
            WHERE p.kind = 1 AND a.closed_on IS NULL AND a.opened_on < '2026-09-01' AND a.payer_person_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM benefit_rights r WHERE r.account_id = a.id)
              AND NOT EXISTS (SELECT 1 FROM subsidy_decisions s WHERE s.account_id = a.id)
            ORDER BY a.id LIMIT 2
            """, conn);
        var list = new List<(long, string)>();
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct)) list.Add((r.GetInt64(0), r.GetString(1)));
        return list;
    }
}
