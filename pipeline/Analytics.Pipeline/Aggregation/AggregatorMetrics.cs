using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Prometheus;

namespace Analytics.Pipeline.Aggregation;

/// <summary>
/// The aggregator's counters on /metrics: hits stored, resent copies its store dropped, and each written batch's
/// size and write time. A batch costs about as much again as its hits do at a live batch's size
/// (docs/capacity.md), so hits per batch (<c>analytics_batch_hits_sum / _count</c>) tells an operator what the
/// partitions and the flush interval cost.
/// </summary>
internal sealed class AggregatorMetrics(Aggregator aggregator, HitStore store) : IMetricsPublisher
{
    public Action Publish(IMetricFactory factory)
    {
        var stored = factory.CreateCounter("analytics_hits_stored_total", "Hits the aggregator stored (or found stored) and committed at its source.");
        var duplicates = factory.CreateCounter("analytics_duplicate_hits_dropped_total", "Hits the aggregator dropped because a copy with the same hit ID was stored already (a resend).");
        var hits = factory.CreateHistogram("analytics_batch_hits", "Hits in each batch written to storage.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(10, 4, 8) });
        var seconds = factory.CreateHistogram("analytics_batch_write_seconds", "Time to write one batch to storage (visits, hits, ledger; retries included).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 12) });
        aggregator.BatchWritten += (count, elapsed) =>
        {
            hits.Observe(count);
            seconds.Observe(elapsed.TotalSeconds);
        };
        return () =>
        {
            stored.IncTo(aggregator.Stored);
            duplicates.IncTo(store.DuplicatesDropped);
        };
    }
}
