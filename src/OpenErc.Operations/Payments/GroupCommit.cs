using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OpenErc.Operations.Payments;

/// <summary>
/// Group commit for payments that arrive one at a time (the online protocols): while one batch is being posted, the
/// payments that arrive meanwhile queue up and are posted together in the next transaction by the set-based
/// <see cref="PaymentPosting.PostAsync(string, IReadOnlyList{PaymentIntake}, PostingOptions, CancellationToken)"/>.
/// A payment is answered only after its transaction commits. Nothing waits on a timer: under light load a batch is one
/// payment; under heavy load batches grow up to <c>maxBatch</c>, and one commit serves them all.
/// </summary>
/// <remarks>
/// Repeats of one key inside a batch are handled by the posting (the first is posted, the others get it). When a batch
/// fails as a whole (one bad payment, a lost connection, even in the middle of the commit), each of its payments is
/// posted again on its own: posting is idempotent, so a payment the failed batch did commit gets its original answer,
/// and only the payment that really fails gets the error. Payments go to <c>lanes</c> queues by their account number,
/// each posting one batch at a time, so that both the database and this process are busy at once: payments to one
/// account, and so every repeat of a payment, stay in one lane, and two lanes never wait on each other's account locks
/// or keys (except a key reused for another account, a conflict anyway: the database breaks that deadlock, and the
/// batch it fails is posted one by one).
/// </remarks>
public sealed class GroupCommit : IAsyncDisposable
{
    private sealed record Pending(PaymentIntake Intake, TaskCompletionSource<PostingResult> Answer);

    private readonly Channel<Pending>[] _lanes;
    private readonly string _connectionString;
    private readonly PostingOptions _options;
    private readonly int _maxBatch;
    private readonly ILogger? _log;
    private readonly Task[] _loops;

    public GroupCommit(string connectionString, PostingOptions options, int maxBatch = 500, int lanes = 2, ILogger? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        _log = log;
        _connectionString = connectionString;
        _options = options;
        _maxBatch = maxBatch;
        _lanes = Enumerable.Range(0, lanes).Select(_ => Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true })).ToArray();
        _loops = _lanes.Select(lane => Task.Run(() => RunAsync(lane))).ToArray();
    }

    /// <summary>Posts the payment with the next batch; completes after the commit. The amount must already be valid.</summary>
    public Task<PostingResult> PostAsync(PaymentIntake intake)
    {
        var pending = new Pending(intake, new TaskCompletionSource<PostingResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        var lane = _lanes[unchecked((uint)StringComparer.Ordinal.GetHashCode(intake.AccountNumber)) % (uint)_lanes.Length];
        if (!lane.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit));
        return pending.Answer.Task;
    }

    private async Task RunAsync(Channel<Pending> lane)
    {
        var batch = new List<Pending>(_maxBatch);
        // No cancellation: after Complete the queue is drained, so every accepted payment is answered.
        while (await lane.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && lane.Reader.TryRead(out var pending)) batch.Add(pending);
            await PostBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task PostBatchAsync(List<Pending> batch)
    {
        if (batch.Count > 1 && await TryPostTogetherAsync(batch)) return;
        foreach (var pending in batch)
        {
            try
            {
                pending.Answer.TrySetResult(await PaymentPosting.PostAsync(_connectionString, pending.Intake, _options));
            }
            catch (Exception e)
            {
                pending.Answer.TrySetException(e);
            }
        }
    }

    /// <summary>Posts the batch in one transaction; false when it failed as a whole (then each payment is posted on its own).</summary>
    private async Task<bool> TryPostTogetherAsync(List<Pending> batch)
    {
        IReadOnlyList<PostingResult> results;
        try
        {
            results = await PaymentPosting.PostAsync(_connectionString, batch.Select(p => p.Intake).ToList(), _options);
        }
        catch (Exception e)
        {
            _log?.LogWarning(e, "A batch of {Count} payments failed as a whole; posting them one by one", batch.Count);
            return false;
        }
        for (int i = 0; i < batch.Count; i++) batch[i].Answer.TrySetResult(results[i]);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes) lane.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }
}
