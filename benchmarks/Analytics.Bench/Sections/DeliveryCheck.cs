using Analytics.Bench.Report;
using Analytics.Bench.Servers;

namespace Analytics.Bench.Sections;

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
            try
            {
                // Through Kafka, an acknowledged hit may still be in the spool or the topic: wait until the
                // aggregator has read them all; on stop it stores whatever it has read.
                await ReachedAsync(client, "analytics_kafka_consumed_total", accepted, cancellationToken);
                if (await client.MetricAsync("analytics_kafka_consumed_total", cancellationToken) is { } read)
                {
                    Kafka = $"Kafka: {await client.MetricAsync("analytics_kafka_shipped_total", cancellationToken):N0} shipped, {read:N0} consumed, " +
                        $"{await client.MetricAsync("analytics_kafka_delivery_failures_total", cancellationToken):N0} delivery failures, " +
                        $"{await client.MetricAsync("analytics_spool_pending_bytes", cancellationToken):N0} spool bytes pending at stop";
                }
            }
            catch (HttpRequestException)
            {
                // The collector is gone (a fault killed it and nothing restarted it): the stored count says the rest.
            }
        }
        await collector.StopAsync();
        var stored = StoredHits.Count(collector.DataDirectory);
        return new DeliveryFigures(answeredByLoad, accepted, rejected, stored);
    }

    /// <summary>
    /// The roles apart: waits until the collector role's accepted hits are shipped and the aggregator
    /// has read them, stops both (the aggregator stores what it read) and counts what the aggregator stored.
    /// </summary>
    public static async Task<DeliveryFigures> RunApartAsync(CollectorServer collector, CollectorServer aggregator, long answeredByLoad, CancellationToken cancellationToken)
    {
        long accepted, rejected;
        using (var client = new CollectorClient(collector.BaseUrl))
        {
            (accepted, rejected) = await SettledCountersAsync(client, cancellationToken);
            try
            {
                var shipped = await ReachedAsync(client, "analytics_kafka_shipped_total", accepted, cancellationToken) ?? 0;
                using var reader = new CollectorClient(aggregator.BaseUrl);
                var read = await ReachedAsync(reader, "analytics_kafka_consumed_total", (long)shipped, cancellationToken);
                Kafka = $"Kafka: {shipped:N0} shipped, {read:N0} consumed, " +
                    $"{await client.MetricAsync("analytics_kafka_delivery_failures_total", cancellationToken):N0} delivery failures, " +
                    $"{await client.MetricAsync("analytics_spool_pending_bytes", cancellationToken):N0} spool bytes pending at stop";
            }
            catch (HttpRequestException)
            {
                // A role is gone (killed and not restarted): the stored count says the rest.
            }
        }
        await collector.StopAsync();
        await aggregator.StopAsync();
        var stored = StoredHits.Count(aggregator.DataDirectory);
        return new DeliveryFigures(answeredByLoad, accepted, rejected, stored);
    }

    /// <summary>The collector role's accepted hits and how many of them Kafka acknowledged (waiting at most 60 s for the spool to empty).</summary>
    public static async Task<(long Accepted, long Shipped)> ShippedAsync(CollectorServer collector, CancellationToken cancellationToken)
    {
        using var client = new CollectorClient(collector.BaseUrl);
        var (accepted, _) = await SettledCountersAsync(client, cancellationToken);
        var shipped = await ReachedAsync(client, "analytics_kafka_shipped_total", accepted, cancellationToken) ?? 0;
        return (accepted, (long)shipped);
    }

    /// <summary>
    /// Waits (at most 60 s) until the counter <paramref name="metric"/> has reached <paramref name="target"/>
    /// and held still for two seconds, and returns it (null when the process has no such counter). Holding
    /// still matters: a replay (after a rebalance or a broker fault) reads some messages twice, so a
    /// consumed count can reach the target while messages are still unread, but it cannot stop short of it.
    /// </summary>
    private static async Task<double?> ReachedAsync(CollectorClient client, string metric, long target, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var (last, stillSince) = (-1.0, DateTime.UtcNow);
        while (await client.MetricAsync(metric, cancellationToken) is { } value)
        {
            if (value != last)
            {
                (last, stillSince) = (value, DateTime.UtcNow);
            }
            else if ((value >= target && DateTime.UtcNow - stillSince >= TimeSpan.FromSeconds(2)) || DateTime.UtcNow >= deadline)
            {
                return value;
            }
            await Task.Delay(200, cancellationToken);
        }
        return null;
    }

    /// <summary>
    /// A request wrk gave up on (timeout) may still be answered after wrk stopped: waits until the
    /// counters hold still for a second (at most 30 s) before taking them.
    /// </summary>
    /// A collector that does not answer (a fault killed it and a heal command restarts it) is asked again
    /// until the deadline; one that never answers counts as (0, 0), and the stored count tells the rest.
    private static async Task<(long Accepted, long Rejected)> SettledCountersAsync(CollectorClient client, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        (long, long)? counters = null;
        while (DateTime.UtcNow < deadline)
        {
            (long, long)? again;
            try
            {
                again = await client.CountersAsync(cancellationToken);
            }
            catch (HttpRequestException)
            {
                again = null;
            }
            if (again is not null && again == counters)
            {
                break;
            }
            counters = again ?? counters;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
        return counters ?? (0, 0);
    }
}
