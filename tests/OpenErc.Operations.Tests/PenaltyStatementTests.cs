using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>The printable penalty statement of an account is exactly what the ledger's penalty posting accrues (penalties.md §5).</summary>
public sealed class PenaltyStatementTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 8, 15);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod April = new(2026, 4);

    [Fact]
    public async Task The_statement_shows_day_by_day_what_posting_accrues_and_what_was_billed_before()
    {
        var cs = await cluster.CreateDatabaseAsync("statement");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        (await BillingRun.RunAsync(cs, April, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        var on = new DateOnly(2026, 8, 15);

        var statement = await PenaltyPosting.StatementAsync(cs, flat.AccountId, on, ct: Ct);
        statement.AccountId.ShouldBe(flat.AccountId);
        statement.CalculatedOn.ShouldBe(on);
        statement.Principal.ShouldBe(await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE account_id = {flat.AccountId}"));
        // April's charges are due on 15 May (the due day of the rules in force); day 1 of the delay is 16 May, the 31st is
        // 15 June and the 91st is 14 August; the calculation date is included: 1/300 from 15 June to 13 August (60 days),
        // 1/130 on 14 and 15 August (2 days).
        var chunks = statement.Chunks.Where(c => c.Principal > 0).ToList();
        chunks.ShouldNotBeEmpty();
        foreach (var chunk in chunks)
        {
            chunk.ServiceMonth.ShouldBe(April);
            chunk.Result.Chunk.DueDate.ShouldBe(new DateOnly(2026, 5, 15));
            var rows = chunk.Result.Portions.SelectMany(p => p.Rows).Where(r => r.Divisor != 0).ToList();
            rows.ShouldAllBe(r => r.Debt == chunk.Principal);
            rows.Where(r => r.Divisor == 300).Sum(r => r.Days).ShouldBe(60);
            rows.Where(r => r.Divisor == 300).Min(r => r.From).ShouldBe(new DateOnly(2026, 6, 15));
            rows.Where(r => r.Divisor == 130).Sum(r => r.Days).ShouldBe(2);
            rows.Where(r => r.Divisor == 130).Min(r => r.From).ShouldBe(new DateOnly(2026, 8, 14));
        }
        statement.Total.ShouldBeGreaterThan(0m);

        // Posting on the same date accrues exactly the statement's total; afterwards the statement shows it as billed.
        var posted = await PenaltyPosting.PostAsync(cs, April, on, Clock, "тест", ct: Ct);
        posted.Posted.ShouldBe(statement.Total);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE account_id = {flat.AccountId} AND kind = {(short)ChargeLineKind.Penalty}"))
            .ShouldBe(statement.Total);
        var after = await PenaltyPosting.StatementAsync(cs, flat.AccountId, on, ct: Ct);
        after.Total.ShouldBe(statement.Total);
        after.Chunks.Sum(c => c.PenaltiesPosted).ShouldBe(statement.Total);
        // Penalties are not charged on penalties: the principal is unchanged by the posted lines.
        after.Principal.ShouldBe(statement.Principal);
    }
}
