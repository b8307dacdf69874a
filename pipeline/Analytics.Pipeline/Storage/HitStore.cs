using System.Buffers;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// Writes each batch of hits into ClickHouse: the hits, then the visits they open or extend (from the
/// <see cref="SessionTracker"/>). The materialized views fill the rollups from both inserts. Each insert
/// carries the batch's deduplication token, so a replayed batch is stored once everywhere, and a batch
/// recorded in the batch ledger as stored is skipped whole.
/// Called by one writer at a time (the aggregator's loop), which retries a failed batch as it is.
/// </summary>
public sealed class HitStore(IClickHouse clickHouse, SessionTracker sessions, IOptions<RetentionOptions> retention)
{
    private HitBatch? _pendingBatch;

    /// <summary>How hit and visit rows travel: RowBinary (measured faster on chDB, benchmarks/README.md) or JSONEachRow.</summary>
    internal string HitFormat { get; set; } = HitRowBinaryEncoder.Format;
    private IReadOnlyList<SessionRow> _pendingSessions = [];

    /// <summary>A store with default session and retention settings.</summary>
    public HitStore(IClickHouse clickHouse)
        : this(clickHouse, new SessionTracker(Options.Create(new SessionOptions())), Options.Create(new RetentionOptions()))
    {
    }

    public async Task WriteAsync(HitBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        // A retry of the batch that failed last reuses its visits: tracking it again would count its hits twice.
        if (!ReferenceEquals(batch, _pendingBatch))
        {
            if (batch.DeduplicationToken is { } stored && await IsStoredAsync(stored, cancellationToken))
            {
                // Stored before (the source replays after a restart or a rebalance). The engine would drop the
                // inserts as duplicates anyway; skipping keeps the tracker off visits it would then believe stored.
                return;
            }
            _pendingSessions = sessions.Track(batch.Hits);
            _pendingBatch = batch;
        }
        var settings = retention.Value;

        var rows = new ArrayBufferWriter<byte>(batch.Count * 512);
        if (HitFormat == HitRowBinaryEncoder.Format)
        {
            HitRowBinaryEncoder.Encode(batch.Hits, rows, settings);
            await clickHouse.InsertAsync($"{clickHouse.Database}.hits ({HitRowBinaryEncoder.Columns})", HitRowBinaryEncoder.Format, rows.WrittenMemory, batch.DeduplicationToken, cancellationToken);
        }
        else
        {
            HitRowsEncoder.Encode(batch.Hits, rows, settings);
            await clickHouse.InsertAsync($"{clickHouse.Database}.hits", HitRowsEncoder.Format, rows.WrittenMemory, batch.DeduplicationToken, cancellationToken);
        }

        if (_pendingSessions.Count > 0)
        {
            rows.ResetWrittenCount();
            var token = batch.DeduplicationToken is null ? null : batch.DeduplicationToken + "/sessions";
            if (HitFormat == HitRowBinaryEncoder.Format)
            {
                SessionRowBinaryEncoder.Encode(_pendingSessions, rows, settings);
                await clickHouse.InsertAsync($"{clickHouse.Database}.sessions ({SessionRowBinaryEncoder.Columns})", SessionRowBinaryEncoder.Format, rows.WrittenMemory, token, cancellationToken);
            }
            else
            {
                SessionRowsEncoder.Encode(_pendingSessions, rows, settings);
                await clickHouse.InsertAsync($"{clickHouse.Database}.sessions", SessionRowsEncoder.Format, rows.WrittenMemory, token, cancellationToken);
            }
        }
        if (batch.DeduplicationToken is { } done)
        {
            await clickHouse.ExecuteAsync(
                $"INSERT INTO {clickHouse.Database}.batch_ledger (token) VALUES ({{token:String}})",
                new Dictionary<string, string> { ["token"] = done },
                cancellationToken);
        }
        _pendingBatch = null;
        _pendingSessions = [];
    }

    private async Task<bool> IsStoredAsync(string token, CancellationToken cancellationToken)
    {
        var found = await clickHouse.QueryAsync(
            $"SELECT count() FROM {clickHouse.Database}.batch_ledger WHERE token = {{token:String}}",
            "TabSeparated",
            new Dictionary<string, string> { ["token"] = token },
            cancellationToken);
        return found is not [(byte)'0', (byte)'\n'];
    }
}
