using Prometheus;

namespace Analytics.Collector.Enrichment;

/// <summary>Enrichment's counters, in the collector's registry: bot volume stays visible though bots are kept out of human metrics.</summary>
public sealed class EnrichmentMetrics(CollectorRegistry registry)
{
    private readonly Counter _bots = Metrics.WithCustomRegistry(registry)
        .CreateCounter("analytics_bot_hits_total", "Accepted hits classified as bots (stored with is_bot, excluded from human metrics).");

    public void Bot() => _bots.Inc();

    public double BotCount => _bots.Value;
}
