using Analytics.Pipeline.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Spool;

public static class SpoolServices
{
    /// <summary>The spool, opened once per process from the "Spool" section.</summary>
    public static IServiceCollection AddSpool(this IServiceCollection services)
    {
        services.AddOptions<SpoolOptions>().BindConfiguration(SpoolOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (!services.Any(d => d.ServiceType == typeof(HitSpool)))
        {
            services.AddSingleton(sp => HitSpool.Open(sp.GetRequiredService<IOptions<SpoolOptions>>().Value));
        }
        TransportMetrics.AddTo<SpoolMetrics>(services);
        return services;
    }

    /// <summary>The embedded transport with durable acknowledgement: the spool is the queue.</summary>
    public static IServiceCollection AddSpoolTransport(this IServiceCollection services)
    {
        services.AddSpool();
        services.AddSingleton<SpoolQueue>();
        services.AddSingleton<IHitSink>(sp => sp.GetRequiredService<SpoolQueue>());
        services.AddSingleton<IHitSource>(sp => sp.GetRequiredService<SpoolQueue>());
        return services;
    }
}
