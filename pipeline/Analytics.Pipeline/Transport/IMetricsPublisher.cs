using Prometheus;

namespace Analytics.Pipeline.Transport;

/// <summary>
/// A part (spool, Kafka, storage) that publishes its own counters on /metrics. Each part registers one beside
/// itself, so this folder needs to know none of them (<see cref="TransportMetrics"/>).
/// </summary>
public interface IMetricsPublisher
{
    /// <summary>Creates the part's metrics with <paramref name="factory"/> and returns what copies its counters into them before a scrape.</summary>
    Action Publish(IMetricFactory factory);
}
