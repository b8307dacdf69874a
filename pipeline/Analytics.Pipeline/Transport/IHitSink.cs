using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Transport;

/// <summary>Where the collector sends hits: the in-process queue (embedded) or Kafka (distributed).</summary>
public interface IHitSink
{
    /// <summary>Completes once the hit is durable enough to answer the beacon.</summary>
    ValueTask WriteAsync(Hit hit, CancellationToken cancellationToken);

    /// <summary>False while the sink cannot accept hits at full guarantee (readiness).</summary>
    bool IsHealthy { get; }
}
