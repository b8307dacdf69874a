using Analytics.Pipeline.Transport;
using Prometheus;

namespace Analytics.Pipeline.Spool;

/// <summary>The spool's counters on /metrics.</summary>
internal sealed class SpoolMetrics(HitSpool spool) : IMetricsPublisher
{
    public Action Publish(IMetricFactory factory)
    {
        var pending = factory.CreateGauge("analytics_spool_pending_bytes", "Bytes in the spool not yet acknowledged by Kafka.");
        var bound = factory.CreateGauge("analytics_spool_max_bytes", "The spool's bound (Spool:MaxBytes).");
        var appended = factory.CreateCounter("analytics_spool_appended_total", "Hits made durable in the spool.");
        var fsyncs = factory.CreateCounter("analytics_spool_fsyncs_total", "fsync calls of the spool (group commits).");
        var full = factory.CreateCounter("analytics_spool_full_total", "Hits that found the spool at its bound and had to wait.");
        var corrupt = factory.CreateCounter("analytics_spool_corrupt_total", "Spool records skipped because their checksum failed.");
        // Beside analytics_beacon_duration_seconds it tells the disk's share of a slow answer from the rest.
        var commit = factory.CreateHistogram("analytics_spool_commit_seconds", "Write and fsync of one spool group: what each of its beacons waited on the disk.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });
        spool.GroupCommitted += elapsed => commit.Observe(elapsed.TotalSeconds);
        return () =>
        {
            pending.Set(spool.PendingBytes);
            bound.Set(spool.MaxBytes);
            appended.IncTo(spool.Appended);
            fsyncs.IncTo(spool.Fsyncs);
            full.IncTo(spool.FullWaits);
            corrupt.IncTo(spool.Corrupt);
        };
    }
}
