using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.ChDb;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline;

public static class PipelineServices
{
    /// <summary>Embedded storage: the chDB engine on local disk, migrated at start.</summary>
    public static IServiceCollection AddEmbeddedClickHouse(this IServiceCollection services)
    {
        services.AddOptions<ClickHouseOptions>().BindConfiguration(ClickHouseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            var library = string.IsNullOrEmpty(options.ChDbLibrary) ? DependencyCache.PathOf("chdb/libchdb.so") : options.ChDbLibrary;
            return ChDbEngine.Open(options.DataPath, library);
        });
        services.AddSingleton<IClickHouse>(sp => new EmbeddedClickHouse(
            sp.GetRequiredService<ChDbEngine>(), sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value.Database));
        return services.AddSchemaAtStart();
    }

    /// <summary>The embedded transport: one bounded in-process queue between collector and aggregator.</summary>
    public static IServiceCollection AddInProcessTransport(this IServiceCollection services, int capacity = 100_000)
    {
        services.AddSingleton(new InProcessQueue(capacity));
        services.AddSingleton<IHitSink>(sp => sp.GetRequiredService<InProcessQueue>());
        services.AddSingleton<IHitSource>(sp => sp.GetRequiredService<InProcessQueue>());
        return services;
    }

    /// <summary>The aggregator: batches from the <see cref="IHitSource"/> into ClickHouse.</summary>
    public static IServiceCollection AddAggregator(this IServiceCollection services)
    {
        services.AddOptions<AggregatorOptions>().BindConfiguration(AggregatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SessionOptions>().BindConfiguration(SessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SessionTracker>();
        services.AddSingleton<HitStore>(sp => new HitStore(
            sp.GetRequiredService<IClickHouse>(), sp.GetRequiredService<SessionTracker>(), sp.GetRequiredService<IOptions<RetentionOptions>>()));
        services.AddSingleton<VisitorDataStore>();
        services.AddSingleton<Aggregator>();
        services.AddHostedService(sp => sp.GetRequiredService<Aggregator>());
        return services;
    }

    private static IServiceCollection AddSchemaAtStart(this IServiceCollection services)
    {
        services.AddSingleton<SchemaMigrator>();
        services.AddHostedService<SchemaAtStart>();
        return services;
    }

    /// <summary>Applies pending migrations before any other service starts writing.</summary>
    private sealed class SchemaAtStart(SchemaMigrator migrator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
