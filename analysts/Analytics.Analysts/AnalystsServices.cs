using Analytics.Analysts.Access;
using Analytics.Analysts.Api;
using Analytics.Analysts.Dashboard;
using Analytics.Analysts.Insights;
using Analytics.Analysts.Query;
using Analytics.Analysts.Storage;
using Analytics.Pipeline.ClickHouse;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Analysts;

/// <summary>The analysts' part: stats query API, API keys, dashboard and the OpenAPI document.</summary>
public static class AnalystsServices
{
    public static IServiceCollection AddAnalysts(this IServiceCollection services)
    {
        services.AddOptions<AnalystsOptions>().BindConfiguration(AnalystsOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.TimeZones.Values.All(id => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _)), "Analysts:TimeZones must name IANA time zones (e.g. Europe/Paris).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StatsQueryParser>();
        services.AddSingleton(sp => new StatsClickHouse(sp.GetRequiredService<IClickHouse>()));
        services.AddSingleton(sp => new DefinitionStore(sp.GetRequiredService<IOptions<AnalystsOptions>>().Value.DefinitionsFile));
        services.AddSingleton(sp => new VisitorWindows(sp.GetRequiredService<StatsClickHouse>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<VisitorWindows>>()));
        services.AddSingleton(sp => new PageWindows(sp.GetRequiredService<StatsClickHouse>(),
            new QueryPlanner(sp.GetRequiredService<StatsClickHouse>().Database, sp.GetRequiredService<IOptions<AnalystsOptions>>().Value.QueryTimeout),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PageWindows>>()));
        services.AddSingleton(sp => new QueryRunner(sp.GetRequiredService<StatsClickHouse>(), sp.GetRequiredService<IOptions<AnalystsOptions>>(), sp.GetRequiredService<DefinitionStore>(),
            sp.GetRequiredService<IOptions<AnalystsOptions>>().Value.VisitorWindows ? sp.GetRequiredService<VisitorWindows>() : null,
            sp.GetRequiredService<IOptions<AnalystsOptions>>().Value.PageWindows ? sp.GetRequiredService<PageWindows>() : null));
        services.AddSingleton<FunnelQuery>();
        services.AddSingleton(sp => new RealtimeQuery(sp.GetRequiredService<StatsClickHouse>(), sp.GetRequiredService<QueryRunner>(), sp.GetRequiredService<IOptions<AnalystsOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ApiKeyStore(sp.GetRequiredService<IOptions<AnalystsOptions>>().Value.KeysPath));
        services.AddSingleton(sp => new RateLimiter(sp.GetRequiredService<IOptions<AnalystsOptions>>().Value.RequestsPerMinute, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AccessGate>();
        services.AddSingleton<DashboardAssets>();
        services.AddOpenApi(options => StatsOpenApi.Configure(options));
        return services;
    }

    public static IEndpointRouteBuilder MapAnalysts(this IEndpointRouteBuilder routes)
    {
        routes.MapQueryApi();
        routes.MapInsightsApi();
        routes.MapDashboard();
        routes.MapOpenApi("/api/openapi.json");
        return routes;
    }
}
