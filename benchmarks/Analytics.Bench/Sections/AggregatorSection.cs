using System.Diagnostics;
using Analytics.Bench.Report;
using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Bench.Sections;

/// <summary>
/// Aggregator throughput: generated hits written into the host's own transport (as the collector does)
/// and timed until the aggregator has stored them all, against the engine's own ceiling on the very same
/// rows: <c>INSERT ... SELECT</c> into a bare copy of the hits table, and into the hits table itself
/// (which also feeds whatever materialized views hang off it). Fed live, the harness's own writing shares
/// the two cores with the aggregator; a backlog (a queue filled first, then drained by an aggregator of
/// its own over the host's store) is the aggregator alone, as after an outage or on a machine of its own.
/// Rounds alternate them all.
/// </summary>
public sealed class AggregatorSection(BenchSettings settings, TextWriter log)
{
    /// <summary>Writes in flight at once when the aggregator is fed live.</summary>
    private const int FeedGroup = 4096;

    /// <summary>The most hits per batch size in <see cref="BatchCost"/>: batches of 1,000, 5,000 and 100,000.</summary>
    private const int BatchCostHits = 100_000;

    public async Task<AggregatorFigures> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var sink = services.GetRequiredService<IHitSink>();
        var aggregator = services.GetRequiredService<Aggregator>();
        var clickHouse = services.GetRequiredService<IClickHouse>();
        var store = services.GetRequiredService<HitStore>();
        var db = clickHouse.Database;
        await clickHouse.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {db}.bench_ceiling AS {db}.hits", cancellationToken: cancellationToken);

        var figures = new AggregatorFigures(settings.AggregatorHits, [], [], [], [], []);
        for (var round = 1; round <= settings.Repeats; round++)
        {
            var site = $"agg-r{round}";
            var hits = HitGenerator.Create(settings.AggregatorHits, site, settings.Seed + round, DateTime.UtcNow.Date.AddDays(-1));
            var storedBefore = aggregator.Stored;
            var started = Stopwatch.GetTimestamp();
            // Written as many requests at once would write them: the default sink (the spool) answers a write
            // after its group's fsync, so one write at a time would time the disk, not the aggregator.
            foreach (var group in hits.Chunk(FeedGroup))
            {
                await Task.WhenAll(group.Select(hit => sink.WriteAsync(hit, cancellationToken).AsTask()));
            }
            while (aggregator.Stored - storedBefore < hits.Count)
            {
                await Task.Delay(2, cancellationToken);
            }
            var pipeline = hits.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            await ExpectRowsAsync(clickHouse, site, hits.Count, cancellationToken);

            var backlog = await DrainBacklogAsync(services, store, HitGenerator.Create(settings.AggregatorHits, $"drain-r{round}", settings.Seed + round, DateTime.UtcNow.Date.AddDays(-1)), cancellationToken);
            await ExpectRowsAsync(clickHouse, $"drain-r{round}", settings.AggregatorHits, cancellationToken);

            // The storage write alone, same rows and batch size, no queue: tells the queue's cost from the insert's.
            var again = HitGenerator.Create(settings.AggregatorHits, $"store-r{round}", settings.Seed + round, DateTime.UtcNow.Date.AddDays(-1));
            var batchSize = services.GetRequiredService<IOptions<AggregatorOptions>>().Value.BatchSize;
            started = Stopwatch.GetTimestamp();
            foreach (var chunk in again.Chunk(batchSize))
            {
                await store.WriteAsync(new HitBatch(chunk), cancellationToken);
            }
            var storeOnly = again.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;

            await clickHouse.ExecuteAsync($"TRUNCATE TABLE {db}.bench_ceiling", cancellationToken: cancellationToken);
            started = Stopwatch.GetTimestamp();
            await clickHouse.ExecuteAsync($"INSERT INTO {db}.bench_ceiling SELECT * FROM {db}.hits WHERE site_id = '{site}'", cancellationToken: cancellationToken);
            var ceiling = hits.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;

            // The subquery matters: a WHERE beside REPLACE would see the replaced site_id and select nothing.
            started = Stopwatch.GetTimestamp();
            await clickHouse.ExecuteAsync($"INSERT INTO {db}.hits SELECT * REPLACE ('ceil-{round}' AS site_id) FROM (SELECT * FROM {db}.hits WHERE site_id = '{site}')", cancellationToken: cancellationToken);
            var withViews = hits.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            await ExpectRowsAsync(clickHouse, $"ceil-{round}", hits.Count, cancellationToken);

            figures.BatchCosts.AddRange(await BatchCost.MeasureAsync(store, clickHouse, Math.Min(settings.AggregatorHits, BatchCostHits), $"cost-r{round}", settings.Seed + round, log, cancellationToken));

            figures.PipelineHitsPerSecond.Add(pipeline);
            figures.BacklogHitsPerSecond.Add(backlog);
            figures.StoreOnlyHitsPerSecond.Add(storeOnly);
            figures.CeilingHitsPerSecond.Add(ceiling);
            figures.CeilingWithViewsHitsPerSecond.Add(withViews);
            log.WriteLine($"  round {round}: aggregator {pipeline:N0} hits/s fed live, {backlog:N0} hits/s draining a backlog, storage write alone {storeOnly:N0} hits/s, engine ceiling {ceiling:N0} rows/s (bare copy), {withViews:N0} rows/s (into hits, with views)");
        }
        await clickHouse.ExecuteAsync($"DROP TABLE IF EXISTS {db}.bench_ceiling", cancellationToken: cancellationToken);
        return figures;
    }

    /// <summary>
    /// Fills a queue of its own with <paramref name="hits"/>, then times an aggregator of its own, on the
    /// host's store and settings, until it has stored them all. The host's aggregator meanwhile has nothing to read.
    /// </summary>
    private static async Task<double> DrainBacklogAsync(IServiceProvider services, HitStore store, List<Hit> hits, CancellationToken cancellationToken)
    {
        var queue = new InProcessQueue(hits.Count);
        foreach (var hit in hits)
        {
            await queue.WriteAsync(hit, cancellationToken);
        }
        queue.Complete();
        using var aggregator = new Aggregator(queue, store, services.GetRequiredService<IOptions<AggregatorOptions>>(), NullLogger<Aggregator>.Instance);
        var started = Stopwatch.GetTimestamp();
        await aggregator.StartAsync(cancellationToken);
        // It returns once the completed queue is drained and every batch stored.
        await aggregator.ExecuteTask!.WaitAsync(cancellationToken);
        return hits.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>A rate is only worth reporting if every row arrived.</summary>
    private static async Task ExpectRowsAsync(IClickHouse clickHouse, string site, int expected, CancellationToken cancellationToken)
    {
        var text = System.Text.Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            $"SELECT count() FROM {clickHouse.Database}.hits WHERE site_id = '{site}'", "TabSeparated", cancellationToken: cancellationToken));
        var rows = long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (rows != expected)
        {
            throw new InvalidOperationException($"Expected {expected} rows for {site} in hits, found {rows}.");
        }
    }
}
