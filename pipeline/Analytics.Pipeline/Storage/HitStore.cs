using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Transport;

namespace Analytics.Pipeline.Storage;

/// <summary>Writes batches of hits into ClickHouse, one insert per batch.</summary>
public sealed class HitStore(IClickHouse clickHouse)
{
    public async Task WriteAsync(HitBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        var rows = new System.Buffers.ArrayBufferWriter<byte>(batch.Count * 512);
        HitRowsEncoder.Encode(batch.Hits, rows);
        await clickHouse.InsertAsync($"{clickHouse.Database}.hits", HitRowsEncoder.Format, rows.WrittenMemory, batch.DeduplicationToken, cancellationToken);
    }
}
