using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        // A batch replayed after a crash is cut from one partition's buffer whole: a buffer paused short of it would
        // wait for the rest forever (KafkaFaultTests), so a smaller one is refused at start.
        services.AddOptions<KafkaOptions>()
            .Validate<IOptions<AggregatorOptions>>(
                (kafka, aggregator) => kafka.MaxBufferedPerPartition >= aggregator.Value.BatchSize,
                "Kafka:MaxBufferedPerPartition must be at least Aggregator:BatchSize: a batch replayed after a crash must fit in a partition's buffer whole.")
            .ValidateOnStart();
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
