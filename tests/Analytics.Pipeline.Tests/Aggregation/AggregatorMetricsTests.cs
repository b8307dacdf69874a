using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Analytics.Pipeline.Tests.Aggregation;

public class AggregatorMetricsTests
{
    [Test]
    public async Task Every_written_batch_is_counted_with_its_hits_and_its_write_time()
    {
        var (db, queue) = await QueuedHits.CreateAsync(20);
        queue.Complete();
        // Cut by size only (the flush interval is far off): 7, 7, then the 6 left when the queue is drained.
        var store = new HitStore(db);
        using var aggregator = new Aggregator(queue, store, Options.Create(new AggregatorOptions
        {
            BatchSize = 7,
            FlushInterval = TimeSpan.FromMinutes(5),
        }), NullLogger<Aggregator>.Instance);
        var registry = Metrics.NewCustomRegistry();
        var update = new AggregatorMetrics(aggregator, store).Publish(Metrics.WithCustomRegistry(registry));

        await aggregator.StartAsync(CancellationToken.None);
        await aggregator.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(60));
        update();
        var text = await MetricsText.ExportAsync(registry);

        Assert.Multiple(() =>
        {
            Assert.That(MetricsText.Sample(text, "analytics_hits_stored_total"), Is.EqualTo(20));
            Assert.That(MetricsText.Sample(text, "analytics_batch_hits_count"), Is.EqualTo(3));
            Assert.That(MetricsText.Sample(text, "analytics_batch_hits_sum"), Is.EqualTo(20));
            Assert.That(MetricsText.Sample(text, "analytics_batch_write_seconds_count"), Is.EqualTo(3));
            Assert.That(MetricsText.Sample(text, "analytics_batch_write_seconds_sum"), Is.GreaterThan(0));
            Assert.That(MetricsText.Sample(text, "analytics_duplicate_hits_dropped_total"), Is.Zero);
        });
    }
}
