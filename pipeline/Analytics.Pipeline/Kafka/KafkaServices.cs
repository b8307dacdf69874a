using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Analytics.Pipeline.Kafka;

public static class KafkaServices
{
    /// <summary>The collector's side: spool, the process's producer, the shipper and the <see cref="IHitSink"/>.</summary>
    public static IServiceCollection AddKafkaSink(this IServiceCollection services)
    {
        services.AddKafkaCommon();
        services.AddSpool();
        services.AddSingleton<SpoolShipper>();
        services.AddHostedService(sp => sp.GetRequiredService<SpoolShipper>());
        services.AddSingleton<IHitSink, KafkaHitSink>();
        return services;
    }

    /// <summary>The aggregator's side: the consumer-group <see cref="IHitSource"/> and its batch log.</summary>
    public static IServiceCollection AddKafkaSource(this IServiceCollection services)
    {
        services.AddKafkaCommon();
        services.AddSingleton<KafkaBatchLog>();
        services.AddSingleton<KafkaHitSource>();
        services.AddSingleton<IHitSource>(sp => sp.GetRequiredService<KafkaHitSource>());
        return services;
    }

    private static void AddKafkaCommon(this IServiceCollection services)
    {
        services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<KafkaProducer>();
        TransportMetrics.AddTo<KafkaMetrics>(services);
    }
}
