using Analytics.Analysts;
using Analytics.Analysts.Access;
using Analytics.Collector;
using Analytics.Collector.Links;
using Analytics.Collector.Visitors;
using Analytics.Host.Demo;
using Analytics.Host.Distributed;
using Analytics.Host.Links;
using Analytics.Host.Sites;
using Analytics.Host.Stats;
using Analytics.Host.Visitors;
using Analytics.Partners;
using Analytics.Pipeline;
using Analytics.Pipeline.Transport;
using Prometheus;

namespace Analytics.Host;

/// <summary>
/// The embedded default: collector, in-process queue, aggregator, chDB, stats API and demo page in one
/// process. Arguments are configuration overrides (--Key=value), as for any ASP.NET Core host.
/// With Transport:Kind=Kafka and Host:Roles the same host runs a collector or an aggregator alone.
/// A tool built on the host (the log importer) may pass a last word on the services.
/// </summary>
public static class EmbeddedHost
{
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Roles and transport come from configuration (Host:Roles, Transport:Kind); the default is everything in one process.
        var roles = HostRoles.From(builder.Configuration);
        // Storage: the aggregator writes it; a collector alone reaches it only on a server (visitors' /me pages).
        if (roles.Aggregator || roles.Collector && builder.Configuration["ClickHouse:Mode"] == "Server")
        {
            builder.Services.AddClickHouse();
            // The collector's self-service pages reach the stored data only through this.
            builder.Services.AddSingleton<IVisitorData, StoredVisitorData>();
        }
        roles.AddTransport(builder.Services);
        builder.Services.AddCollector().AddSiteSettings();
        // The aggregator role owns the storage, so it also serves what reads it: stats, analysts, partners.
        if (roles.Aggregator)
        {
            builder.Services
                .AddAggregator()
                .AddStats()
                .AddAnalysts()
                .AddPartners();
        }
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        if (roles.Collector)
        {
            app.MapCollector();
            app.MapDemo();
        }
        if (roles.Aggregator)
        {
            app.MapStats();
            app.MapAnalysts();
            app.MapSiteAdmin();
            // Signing needs the analysts' API keys, which live with the aggregator role.
            app.MapLinkSigning("/api/v2", (http, site) => LinkApiAccess.Check(app.Services.GetRequiredService<AccessGate>(), http, site))
                .WithTags("Links")
                .WithName("SignLink")
                .WithSummary("Sign a newsletter link: a redirect on the collector that counts the click for a campaign.")
                .Produces<LinkApi.SignedLink>()
                .ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status429TooManyRequests);
            app.MapPartners();
        }
        // Probes for the operator, not part of the stats API's document.
        app.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription();
        app.MapGet("/readyz", (IServiceProvider services) => services.GetService<IHitSink>() is not { IsHealthy: false }
            ? Results.Text("ready")
            : Results.Text("degraded", statusCode: StatusCodes.Status503ServiceUnavailable)).ExcludeFromDescription();
        app.MapMetrics(registry: app.Services.GetRequiredService<CollectorRegistry>());
        return app;
    }
}
