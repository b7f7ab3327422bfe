using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>Group commit: payments queued together post together, repeats inside a batch post once, and a failing payment fails alone.</summary>
public sealed class GroupCommitTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failing_payment_fails_alone_and_repeats_in_one_batch_post_once()
    {
        var (cs, flat, agent, number, options) = await PaymentPostingTests.ChargedAsync(cluster, "group_commit");
        await using var commit = new GroupCommit(cs, options, lanes: 1);
        // Queued at once: whatever batches they fall into, each gets its own answer.
        var good = Enumerable.Range(0, 20).Select(i => commit.PostAsync(PaymentPostingTests.Intake(agent, $"g{i}", number, 10m + i))).ToList();
        var repeats = Enumerable.Range(0, 5).Select(_ => commit.PostAsync(PaymentPostingTests.Intake(agent, "g3", number, 13m))).ToList();
        var bad = commit.PostAsync(PaymentPostingTests.Intake(agent, "bad", number, 0.001m));
        var conflict = commit.PostAsync(PaymentPostingTests.Intake(agent, "g4", number, 99m));
        var more = Enumerable.Range(20, 10).Select(i => commit.PostAsync(PaymentPostingTests.Intake(agent, $"g{i}", number, 10m + i))).ToList();

        (await Should.ThrowAsync<ArgumentException>(bad)).Message.ShouldContain("в копейках");
        var posted = await Task.WhenAll(good.Concat(more));
        posted.ShouldAllBe(r => r.Outcome == PostingOutcome.Posted || r.Outcome == PostingOutcome.Repeated);
        posted.Select(r => r.PaymentId).Distinct().Count().ShouldBe(30);
        (await Task.WhenAll(repeats)).ShouldAllBe(r => r.PaymentId == posted[3].PaymentId);
        (await conflict).Outcome.ShouldBe(PostingOutcome.Conflict);

        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM payments")).ShouldBe(30);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {flat.AccountId}"))
            .ShouldBe(Enumerable.Range(0, 30).Sum(i => 10m + i));
    }
}
