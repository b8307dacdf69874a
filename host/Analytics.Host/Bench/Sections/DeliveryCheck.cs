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
            (accepted, rejected) = await client.CountersAsync(cancellationToken);
        }
        await collector.StopAsync();
        var stored = StoredHits.Count(collector.DataDirectory);
        return new DeliveryFigures(answeredByLoad, accepted, rejected, stored);
    }
}
