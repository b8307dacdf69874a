namespace Analytics.Host.Stats;

public static class StatsServices
{
    public static IServiceCollection AddStats(this IServiceCollection services) =>
        services.AddSingleton<DailyStatsQuery>();
}
