using Analytics.Pipeline.Kafka;
using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Analytics.Pipeline.Transport;

/// <summary>
/// Publishes the spool's, the shipper's and the consumer's counters on /metrics (the process's
/// <see cref="CollectorRegistry"/>), read from them just before each scrape.
/// </summary>
public sealed class TransportMetrics(IServiceProvider services, CollectorRegistry registry) : IHostedService
{
    /// <summary>Registers the metrics once, and the process's registry if no one did yet.</summary>
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        // The collector registers the registry too; everyone resolves the last registration.
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        if (!services.Any(d => d.ImplementationType == typeof(TransportMetrics)))
        {
            services.AddHostedService<TransportMetrics>();
        }
        return services;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        var updates = new List<Action>();
        if (services.GetService<HitSpool>() is { } spool)
        {
            var pending = factory.CreateGauge("analytics_spool_pending_bytes", "Bytes in the spool not yet acknowledged by Kafka.");
            var bound = factory.CreateGauge("analytics_spool_max_bytes", "The spool's bound (Spool:MaxBytes).");
            var appended = factory.CreateCounter("analytics_spool_appended_total", "Hits made durable in the spool.");
            var fsyncs = factory.CreateCounter("analytics_spool_fsyncs_total", "fsync calls of the spool (group commits).");
            var full = factory.CreateCounter("analytics_spool_full_total", "Hits that found the spool at its bound and had to wait.");
            var corrupt = factory.CreateCounter("analytics_spool_corrupt_total", "Spool records skipped because their checksum failed.");
            updates.Add(() =>
            {
                pending.Set(spool.PendingBytes);
                bound.Set(spool.MaxBytes);
                appended.IncTo(spool.Appended);
                fsyncs.IncTo(spool.Fsyncs);
                full.IncTo(spool.FullWaits);
                corrupt.IncTo(spool.Corrupt);
            });
        }
        if (services.GetService<IHitSink>() is KafkaHitSink sink)
        {
            var errors = factory.CreateCounter("analytics_spool_write_errors_total", "Hits the spool could not write (disk full, I/O error); answered and counted as Overloaded.");
            updates.Add(() => errors.IncTo(sink.WriteErrors));
        }
        if (services.GetService<SpoolShipper>() is { } shipper)
        {
            var shipped = factory.CreateCounter("analytics_kafka_shipped_total", "Hits Kafka acknowledged (acks=all).");
            var failures = factory.CreateCounter("analytics_kafka_delivery_failures_total", "Deliveries Kafka refused; the spool sends them again.");
            var degraded = factory.CreateGauge("analytics_kafka_degraded", "1 while hits wait in the spool without progress (broker slow or down).");
            updates.Add(() =>
            {
                shipped.IncTo(shipper.Shipped);
                failures.IncTo(shipper.Failures);
                degraded.Set(shipper.IsHealthy ? 0 : 1);
            });
        }
        if (services.GetService<KafkaHitSource>() is { } source)
        {
            var consumed = factory.CreateCounter("analytics_kafka_consumed_total", "Messages the aggregator read (hits and poison).");
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
        if (services.GetService<HitStore>() is { } store)
        {
            var duplicates = factory.CreateCounter("analytics_duplicate_hits_dropped_total", "Hits the aggregator dropped because a copy with the same hit ID was stored already (a resend).");
            updates.Add(() => duplicates.IncTo(store.DuplicatesDropped));
        }
        registry.AddBeforeCollectCallback(() => updates.ForEach(update => update()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
