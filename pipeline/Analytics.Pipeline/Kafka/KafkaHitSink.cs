using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// The collector's Kafka transport. A hit is acknowledged (the beacon answered) once it is fsynced
/// to the local spool by group commit, about a millisecond whatever the broker does; the
/// <see cref="SpoolShipper"/> sends it on to Kafka in order and the spool forgets it once Kafka
/// acknowledged it (acks=all, idempotent).
/// </summary>
public sealed partial class KafkaHitSink(HitSpool spool, SpoolShipper shipper, ILogger<KafkaHitSink> logger) : IHitSink
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
        catch (IOException ex)
        {
            // The browser still gets its GIF: the pipeline counts a hand-off that did not happen as
            // Overloaded, and this counter says why. Never silently lost.
            Interlocked.Increment(ref _writeErrors);
            Log.WriteFailed(logger, ex);
            throw new OperationCanceledException("The spool could not write the hit.", ex, cancellationToken);
        }
    }

    /// <summary>Degraded while the broker is not taking hits (they wait in the spool) or the spool nears its bound.</summary>
    public bool IsHealthy => shipper.IsHealthy;

    private static partial class Log
    {
        [LoggerMessage(5401, LogLevel.Error, "The spool could not write a hit; it is answered and counted as Overloaded")]
        public static partial void WriteFailed(ILogger logger, Exception exception);
    }
}
