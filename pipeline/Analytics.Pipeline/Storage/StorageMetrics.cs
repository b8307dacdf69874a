using Analytics.Pipeline.Transport;
using Prometheus;

namespace Analytics.Pipeline.Storage;

/// <summary>Storage's counters on /metrics.</summary>
internal sealed class StorageMetrics(HitStore store) : IMetricsPublisher
{
    public Action Publish(IMetricFactory factory)
    {
        var duplicates = factory.CreateCounter("analytics_duplicate_hits_dropped_total", "Hits the aggregator dropped because a copy with the same hit ID was stored already (a resend).");
        return () => duplicates.IncTo(store.DuplicatesDropped);
    }
}
