using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.ChDb;
using Analytics.Pipeline.ClickHouse.Server;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline;

public static class PipelineServices
{
    /// <summary>
    /// Storage as <c>ClickHouse:Mode</c> says: the embedded chDB engine on local disk (default), or a
    /// ClickHouse server or cluster over HTTP. Migrated, and rollup retention applied, at start.
    /// </summary>
    public static IServiceCollection AddEmbeddedClickHouse(this IServiceCollection services) => services.AddClickHouse();

    /// <summary>Storage as <c>ClickHouse:Mode</c> says (Embedded or Server), migrated at start.</summary>
    public static IServiceCollection AddClickHouse(this IServiceCollection services)
    {
        services.AddOptions<ClickHouseOptions>().BindConfiguration(ClickHouseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            var library = string.IsNullOrEmpty(options.ChDbLibrary) ? DependencyCache.PathOf("chdb/libchdb.so") : options.ChDbLibrary;
            return ChDbEngine.Open(options.DataPath, library);
        });
        services.AddSingleton<ServerClickHouse>();
        services.AddSingleton<IClickHouse>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            return options.Mode == ClickHouseMode.Server
                ? sp.GetRequiredService<ServerClickHouse>()
                : new EmbeddedClickHouse(sp.GetRequiredService<ChDbEngine>(), options.Database);
        });
        // Visitors' own data (/me pages): wherever storage is reachable, with the session tracker when
        // this process also aggregates.
        services.AddSingleton(sp => new VisitorDataStore(
            sp.GetRequiredService<IClickHouse>(), sp.GetService<SessionTracker>(), sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value.Cluster));
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
        services.AddSingleton<SessionTracker>();
        services.AddSingleton<HitStore>(sp => new HitStore(
            sp.GetRequiredService<IClickHouse>(), sp.GetRequiredService<SessionTracker>(), sp.GetRequiredService<IOptions<RetentionOptions>>(),
            sp.GetRequiredService<VisitorDataStore>(), sp.GetService<Sites.ISiteSettings>()));
        services.AddSingleton<Aggregator>();
        services.AddHostedService(sp => sp.GetRequiredService<Aggregator>());
        TransportMetrics.AddTo<AggregatorMetrics>(services);
        return services;
    }

    private static IServiceCollection AddSchemaAtStart(this IServiceCollection services)
    {
        services.AddSingleton(sp => new SchemaMigrator(
            sp.GetRequiredService<IClickHouse>(), sp.GetRequiredService<IOptions<ClickHouseOptions>>(), sp.GetRequiredService<ILogger<SchemaMigrator>>()));
        services.AddHostedService<SchemaAtStart>();
        return services;
    }

    /// <summary>Applies pending migrations, then the rollups' retention, before any other service starts writing.</summary>
    private sealed class SchemaAtStart(SchemaMigrator migrator, IOptions<RetentionOptions> retention) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await migrator.MigrateAsync(cancellationToken);
            await migrator.ApplyRollupRetentionAsync(retention.Value.RollupDays, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
