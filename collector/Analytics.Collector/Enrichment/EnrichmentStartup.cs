using Analytics.Collector.Enrichment.Geo;
using Analytics.Collector.Enrichment.Sources;
using Analytics.Collector.Enrichment.UserAgents;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Analytics.Collector.Enrichment;

/// <summary>
/// Loads the enrichment data at start, so a missing or broken file fails start-up with a message
/// naming it (or, for geo and if so configured, starts without it) instead of failing a request later.
/// </summary>
/// <remarks>Taking the classifier and the referrer list as dependencies builds them (rules compiled, list read) before the first request.</remarks>
internal sealed partial class EnrichmentStartup(UserAgentClassifier userAgents, ReferrerList referrers, GeoLocator geo, ILogger<EnrichmentStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        geo.Start();
        Log.Ready(logger, userAgents.RuleCount, userAgents.CrawlerPatternCount, referrers.Count, geo.IsEnabled);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        geo.Dispose();
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Information, "Enrichment ready: {Rules} user-agent rules, {Crawlers} crawler patterns, {Referrers} known referrers, geo {GeoEnabled}")]
        public static partial void Ready(ILogger logger, int rules, int crawlers, int referrers, bool geoEnabled);
    }
}
