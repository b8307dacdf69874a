using Analytics.Host.Bench.Report;
using Analytics.Host.Bench.Servers;

namespace Analytics.Host.Bench.Sections;

/// <summary>Stops the collector (it drains into storage) and compares what it acknowledged with what it stored.</summary>
public static class DeliveryCheck
{
    public static async Task<DeliveryFigures> RunAsync(CollectorServer collector, long answeredByLoad, CancellationToken cancellationToken)
    {
        long accepted, rejected;
        using (var client = new CollectorClient(collector.BaseUrl))
        {
            // A request wrk gave up on (timeout) may still be answered after wrk stopped: wait until the
            // counters hold still for a second (at most 30 s) before taking them.
            (accepted, rejected) = await client.CountersAsync(cancellationToken);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                var again = await client.CountersAsync(cancellationToken);
                if (again == (accepted, rejected))
                {
                    break;
                }
                (accepted, rejected) = again;
            }
        }
        await collector.StopAsync();
        var stored = StoredHits.Count(collector.DataDirectory);
        return new DeliveryFigures(answeredByLoad, accepted, rejected, stored);
    }
}
