using Analytics.Collector.Beacon;
using Analytics.Collector.Links;
using Analytics.Collector.Visitors;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Collector;

public static class CollectorEndpoints
{
    /// <summary>Everything the collector answers: beacon, events, snippet, links, consent and self-service pages.</summary>
    public static IEndpointRouteBuilder MapCollector(this IEndpointRouteBuilder routes) =>
        routes.MapBeacon().MapLinks().MapConsent().MapSelfService();
}
