using Analytics.Host.Bench.Report;
using Analytics.Host.Bench.Servers;

namespace Analytics.Host.Bench.Sections;

/// <summary>Stops the collector (it drains into storage) and compares what it acknowledged with what it stored.</summary>
public static class DeliveryCheck
{
    /// <summary>The Kafka counters seen at the last check (diagnostics for the report), or null without Kafka.</summary>
    public static string? Kafka { get; private set; }

    public static async Task<DeliveryFigures> RunAsync(CollectorServer collector, long answeredByLoad, CancellationToken cancellationToken)
    {
        long accepted, rejected;
        using (var client = new CollectorClient(collector.BaseUrl))
        {
            (accepted, rejected) = await SettledCountersAsync(client, cancellationToken);
            // Through Kafka, an acknowledged hit may still be in the spool or the topic: wait until the
            // aggregator has read them all (at most 60 s); on stop it stores whatever it has read. A replay
            // (after a rebalance or a broker fault) reads some twice, so the count must also hold still
            // for two seconds: it only reaches the accepted count early, never stops short of it.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            var (last, stillSince) = (-1.0, DateTime.UtcNow);
            while (await client.MetricAsync("analytics_kafka_consumed_total", cancellationToken) is { } consumed && DateTime.UtcNow < deadline)
            {
                if (consumed != last)
                {
                    (last, stillSince) = (consumed, DateTime.UtcNow);
                }
                else if (consumed >= accepted && DateTime.UtcNow - stillSince >= TimeSpan.FromSeconds(2))
                {
                    break;
                }
                await Task.Delay(200, cancellationToken);
            }
            if (await client.MetricAsync("analytics_kafka_consumed_total", cancellationToken) is { } read)
            {
                Kafka = $"Kafka: {await client.MetricAsync("analytics_kafka_shipped_total", cancellationToken):N0} shipped, {read:N0} consumed, " +
                    $"{await client.MetricAsync("analytics_kafka_delivery_failures_total", cancellationToken):N0} delivery failures, " +
                    $"{await client.MetricAsync("analytics_spool_pending_bytes", cancellationToken):N0} spool bytes pending at stop";
            }
        }
        await collector.StopAsync();
        var stored = StoredHits.Count(collector.DataDirectory);
        return new DeliveryFigures(answeredByLoad, accepted, rejected, stored);
    }

    /// <summary>The collector role's accepted hits and how many of them Kafka acknowledged (waiting at most 60 s for the spool to empty).</summary>
    public static async Task<(long Accepted, long Shipped)> ShippedAsync(CollectorServer collector, CancellationToken cancellationToken)
    {
        using var client = new CollectorClient(collector.BaseUrl);
        var (accepted, _) = await SettledCountersAsync(client, cancellationToken);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var shipped = await client.MetricAsync("analytics_kafka_shipped_total", cancellationToken) ?? 0;
        while (shipped < accepted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, cancellationToken);
            shipped = await client.MetricAsync("analytics_kafka_shipped_total", cancellationToken) ?? 0;
        }
        return (accepted, (long)shipped);
    }

    /// <summary>
    /// A request wrk gave up on (timeout) may still be answered after wrk stopped: waits until the
    /// counters hold still for a second (at most 30 s) before taking them.
    /// </summary>
    private static async Task<(long Accepted, long Rejected)> SettledCountersAsync(CollectorClient client, CancellationToken cancellationToken)
    {
        var counters = await client.CountersAsync(cancellationToken);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var again = await client.CountersAsync(cancellationToken);
            if (again == counters)
            {
                break;
            }
            counters = again;
        }
        return counters;
    }
}
