using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Transport;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// The collector's Kafka transport. A hit is acknowledged (the beacon answered) once it is fsynced
/// to the local spool by group commit, about a millisecond whatever the broker does; the
/// <see cref="SpoolShipper"/> sends it on to Kafka in order and the spool forgets it once Kafka
/// acknowledged it (acks=all, idempotent).
/// </summary>
public sealed class KafkaHitSink(HitSpool spool, SpoolShipper shipper) : IHitSink
{
    private long _writeErrors;

    /// <summary>Hits the spool could not write (disk full, I/O error).</summary>
    public long WriteErrors => Interlocked.Read(ref _writeErrors);

    public async ValueTask WriteAsync(Hit hit, CancellationToken cancellationToken)
    {
        try
        {
            await spool.AppendAsync(HitCodec.Encode(hit), cancellationToken);
        }
        catch (IOException)
        {
            // The browser still gets its GIF: the pipeline counts the hit as WriteFailed and logs the error. Never silently lost.
            Interlocked.Increment(ref _writeErrors);
            throw;
        }
    }

    /// <summary>Degraded while the broker is not taking hits (they wait in the spool) or the spool nears its bound.</summary>
    public bool IsHealthy => shipper.IsHealthy;
}
