using Analytics.Pipeline.Transport;
using Prometheus;

namespace Analytics.Collector.Pipeline;

/// <summary>The collector's counters, in a registry of its own (so two hosts in one process do not mix).</summary>
public sealed class CollectorMetrics
{
    private readonly Counter _accepted;
    private readonly Counter _rejected;
    private readonly Histogram _latency;

    public CollectorMetrics(CollectorRegistry registry, IHitSink sink)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        // Exemplars (a sample's trace ID) serve a tracing backend, and none is set up here; looking one
        // up on every beacon cost about 0.6 % of the collector's CPU.
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = static (_, _) => Exemplar.None };
        // The embedded queue knows its depth; other transports report their own backlog.
        if (sink is InProcessQueue queue)
        {
            var depth = factory.CreateGauge("analytics_queue_depth", "Hits waiting in the in-process queue for the aggregator.");
            registry.AddBeforeCollectCallback(() => depth.Set(queue.Count));
        }
        _accepted = factory.CreateCounter("analytics_hits_accepted_total", "Hits accepted and handed to the transport.");
        _rejected = factory.CreateCounter("analytics_hits_rejected_total", "Beacons answered but not stored, by reason.", "reason");
        _latency = factory.CreateHistogram("analytics_beacon_duration_seconds", "Time from request to durable hand-off.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            _rejected.WithLabels(reason.ToString()).IncTo(0);
        }
    }

    public void Accepted(TimeSpan elapsed)
    {
        _accepted.Inc();
        _latency.Observe(elapsed.TotalSeconds);
    }

    public void Rejected(DropReason reason) => _rejected.WithLabels(reason.ToString()).Inc();

    public double AcceptedCount => _accepted.Value;

    public double RejectedCount(DropReason reason) => _rejected.WithLabels(reason.ToString()).Value;
}
