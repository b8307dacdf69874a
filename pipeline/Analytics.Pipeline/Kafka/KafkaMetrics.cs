using Analytics.Pipeline.Transport;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Analytics.Pipeline.Kafka;

/// <summary>The Kafka sink's, shipper's and consumer's counters on /metrics, for those this process runs.</summary>
internal sealed class KafkaMetrics(IServiceProvider services) : IMetricsPublisher
{
    public Action Publish(IMetricFactory factory)
    {
        var updates = new List<Action>();
        if (services.GetService<IHitSink>() is KafkaHitSink sink)
        {
            var errors = factory.CreateCounter("analytics_spool_write_errors_total", "Hits the spool could not write (disk full, I/O error); answered and counted as WriteFailed.");
            updates.Add(() => errors.IncTo(sink.WriteErrors));
        }
        if (services.GetService<SpoolShipper>() is { } shipper)
        {
            var shipped = factory.CreateCounter("analytics_kafka_shipped_total", "Hits Kafka acknowledged (acks=all).");
            var messages = factory.CreateCounter("analytics_kafka_shipped_messages_total", "Kafka messages acknowledged; shipped hits over messages is the hits per pack.");
            var failures = factory.CreateCounter("analytics_kafka_delivery_failures_total", "Deliveries Kafka refused; the spool sends them again.");
            var degraded = factory.CreateGauge("analytics_kafka_degraded", "1 while hits wait in the spool without progress (broker slow or down).");
            updates.Add(() =>
            {
                shipped.IncTo(shipper.Shipped);
                messages.IncTo(shipper.Messages);
                failures.IncTo(shipper.Failures);
                degraded.Set(shipper.IsHealthy ? 0 : 1);
            });
        }
        if (services.GetService<KafkaHitSource>() is { } source)
        {
            var consumed = factory.CreateCounter("analytics_kafka_consumed_total", "Hits the aggregator read (a pack counts each of its hits), and poison messages.");
            var dead = factory.CreateCounter("analytics_kafka_dead_letters_total", "Poison messages sent to the dead-letter topic.");
            var commits = factory.CreateCounter("analytics_kafka_commits_total", "Offset commits after a batch was stored.");
            var commitFailures = factory.CreateCounter("analytics_kafka_commit_failures_total", "Offset commits that failed (the batch is replayed and deduplicated).");
            var assigned = factory.CreateGauge("analytics_kafka_assigned_partitions", "Partitions this aggregator owns.");
            updates.Add(() =>
            {
                consumed.IncTo(source.Consumed);
                dead.IncTo(source.DeadLettered);
                commits.IncTo(source.Commits);
                commitFailures.IncTo(source.CommitFailures);
                assigned.Set(source.AssignedPartitions);
            });
        }
        return () => updates.ForEach(update => update());
    }
}
