using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Analytics.Pipeline.Transport;

/// <summary>
/// Publishes the counters of the spool, the shipper, the consumer and storage on /metrics (the process's
/// <see cref="CollectorRegistry"/>), read from them just before each scrape. Each part brings its own
/// <see cref="IMetricsPublisher"/>; this only collects them.
/// </summary>
public sealed class TransportMetrics(IEnumerable<IMetricsPublisher> publishers, CollectorRegistry registry) : IHostedService
{
    /// <summary>Registers <typeparamref name="TPublisher"/>, the metrics once, and the process's registry if no one did yet.</summary>
    public static IServiceCollection AddTo<TPublisher>(IServiceCollection services) where TPublisher : class, IMetricsPublisher
    {
        // The collector registers the registry too; everyone resolves the last registration.
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricsPublisher, TPublisher>());
        if (!services.Any(d => d.ImplementationType == typeof(TransportMetrics)))
        {
            services.AddHostedService<TransportMetrics>();
        }
        return services;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        var updates = publishers.Select(p => p.Publish(factory)).ToList();
        registry.AddBeforeCollectCallback(() => updates.ForEach(update => update()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
