using System.Threading.Channels;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;

namespace Analytics.Host.Import;

/// <summary>
/// Stores an import's hits straight into the <see cref="HitStore"/> (hit IDs checked, visits tracked, rows
/// encoded, both inserts), a batch at a time on a task of its own: the next batch is built from the log
/// while this one is stored. A live beacon's queue hop and the aggregator's small timed batches are left
/// out: each hit would cross a channel, and the rollup views' fixed cost per insert would be paid for a
/// few hundred hits instead of tens of thousands. Batches are stored in order; after each one its
/// <c>stored</c> callback runs (the checkpoint), so a checkpoint never runs ahead of what is stored. A
/// failed write ends the import with its error: the checkpoint stays at the last stored batch.
/// </summary>
internal sealed class ImportBatchWriter
{
    private readonly Channel<Batch> _batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
    private readonly HitStore _store;
    private readonly Task _writing;
    private long _stored;
    private long _duplicates;

    public ImportBatchWriter(HitStore store)
    {
        _store = store;
        _writing = Task.Run(WriteAllAsync);
    }

    /// <summary>Hits stored so far, without those found stored already (<see cref="Duplicates"/>).</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Hits left out because their ID was stored already (lines an earlier, crashed run stored past its checkpoint).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>
    /// Queues a batch (waits while the one before is still queued). <paramref name="token"/> names the
    /// batch's lines (the same lines of the same import give the same token, so a batch a crashed run
    /// stored, whole or in part, is stored once). <paramref name="stored"/> gets the stored total once
    /// the batch is in (with the hits found stored already). Throws the write's error if an earlier batch failed.
    /// </summary>
    public async ValueTask WriteAsync(IReadOnlyList<Hit> hits, string token, Action<long> stored, CancellationToken cancellationToken)
    {
        try
        {
            await _batches.Writer.WriteAsync(new Batch(hits, token, stored), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // The writer failed and closed the channel: its own error says why.
            await _writing;
            throw;
        }
    }

    /// <summary>Waits until every queued batch is stored and its callback ran; throws the write's error if one failed.</summary>
    public Task CompleteAsync()
    {
        _batches.Writer.TryComplete();
        return _writing;
    }

    private async Task WriteAllAsync()
    {
        try
        {
            await foreach (var batch in _batches.Reader.ReadAllAsync())
            {
                if (batch.Hits.Count > 0)
                {
                    var duplicatesBefore = _store.DuplicatesDropped;
                    var prepared = await _store.PrepareAsync(new HitBatch(batch.Hits, batch.Token), CancellationToken.None);
                    // Null: the batch ledger holds the token, so a crashed run stored this very batch whole.
                    var duplicates = prepared is null ? batch.Hits.Count : _store.DuplicatesDropped - duplicatesBefore;
                    if (prepared is not null)
                    {
                        await _store.WriteAsync(prepared, CancellationToken.None);
                    }
                    Interlocked.Add(ref _duplicates, duplicates);
                    Interlocked.Add(ref _stored, batch.Hits.Count - duplicates);
                }
                // Found stored already means stored by this import's crashed run (the IDs are this import's own): they count.
                batch.Stored(Stored + Duplicates);
            }
        }
        catch (Exception ex)
        {
            _batches.Writer.TryComplete(ex);
            // Unblocks a producer waiting for room; what it waits to queue is not stored either.
            while (_batches.Reader.TryRead(out _))
            {
            }
            throw;
        }
    }

    private sealed record Batch(IReadOnlyList<Hit> Hits, string Token, Action<long> Stored);
}
