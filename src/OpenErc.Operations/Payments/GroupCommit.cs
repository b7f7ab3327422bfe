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
/// and only the payment that really fails gets the error. Batches are posted one at a time, so two batches in flight
/// never wait on each other's keys.
/// </remarks>
public sealed class GroupCommit : IAsyncDisposable
{
    private sealed record Pending(PaymentIntake Intake, TaskCompletionSource<PostingResult> Answer);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _connectionString;
    private readonly PostingOptions _options;
    private readonly int _maxBatch;
    private readonly ILogger? _log;
    private readonly Task _loop;

    public GroupCommit(string connectionString, PostingOptions options, int maxBatch = 500, ILogger? log = null)
    {
        _log = log;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _connectionString = connectionString;
        _options = options;
        _maxBatch = maxBatch;
        _loop = Task.Run(RunAsync);
    }

    private long _batches, _payments;

    /// <summary>Batches posted so far (those that failed as a whole and were posted one by one count once).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Payments answered so far.</summary>
    public long Payments => Interlocked.Read(ref _payments);

    /// <summary>Posts the payment with the next batch; completes after the commit. The amount must already be valid.</summary>
    public Task<PostingResult> PostAsync(PaymentIntake intake)
    {
        var pending = new Pending(intake, new TaskCompletionSource<PostingResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit));
        return pending.Answer.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        // No cancellation: after Complete the queue is drained, so every accepted payment is answered.
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
            await PostBatchAsync(batch);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _payments, batch.Count);
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
        _queue.Writer.TryComplete();
        await _loop;
    }
}
