using Analytics.Analysts;
using Analytics.Collector;
using Analytics.Host.Demo;
using Analytics.Host.Stats;
using Analytics.Partners;
using Analytics.Pipeline;
using Analytics.Pipeline.Transport;
using Prometheus;

namespace Analytics.Host;

/// <summary>
/// The embedded default: collector, in-process queue, aggregator, chDB, stats API and demo page in one
/// process. Arguments are configuration overrides (--Key=value), as for any ASP.NET Core host.
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
        builder.Services
            .AddEmbeddedClickHouse()
            .AddInProcessTransport()
            .AddAggregator()
            .AddCollector()
            .AddStats()
            .AddAnalysts()
            .AddPartners();
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapCollector();
        app.MapStats();
        app.MapDemo();
        app.MapAnalysts();
        app.MapPartners();
        app.MapGet("/healthz", () => TypedResults.Text("ok"));
        app.MapGet("/readyz", (IHitSink sink) => sink.IsHealthy
            ? Results.Text("ready")
            : Results.Text("degraded", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapMetrics(registry: app.Services.GetRequiredService<CollectorRegistry>());
        return app;
    }
}
