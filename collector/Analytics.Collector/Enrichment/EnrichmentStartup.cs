using Analytics.Collector.Enrichment.Geo;
using Analytics.Collector.Enrichment.Sources;
using Analytics.Collector.Enrichment.UserAgents;
using Microsoft.Extensions.Hosting;

namespace Analytics.Collector.Enrichment;

/// <summary>
/// Loads the enrichment data at start, so a missing or broken file fails start-up with a message
/// naming it (or, for geo and if so configured, starts without it) instead of failing a request later.
/// </summary>
internal sealed class EnrichmentStartup(IServiceProvider services, GeoLocator geo) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolving builds them: the user-agent rules are compiled and the referrer list read here.
        _ = services.GetService(typeof(UserAgentClassifier));
        _ = services.GetService(typeof(ReferrerList));
        geo.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        geo.Dispose();
        return Task.CompletedTask;
    }
}
