using Analytics.Collector.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Host.Stats;

public static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/stats").WithTags("Stats").MapGet("/daily", GetDaily)
            .WithName("DailyStats")
            .WithSummary("Pageviews and visitors per day for one site.")
            .Produces<DailyStatsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<DailyStatsResponse>, ProblemHttpResult>> GetDaily(
        string? site, SiteRegistry sites, DailyStatsQuery query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(site) || !sites.TryGet(site, out _))
        {
            return TypedResults.Problem("Unknown or missing site.", statusCode: StatusCodes.Status404NotFound);
        }
        var days = await query.RunAsync(site, cancellationToken);
        return TypedResults.Json(new DailyStatsResponse(site, days), StatsJsonContext.Default.DailyStatsResponse);
    }
}

/// <summary>GET /api/stats/daily answer.</summary>
public sealed record DailyStatsResponse(string Site, IReadOnlyList<DailyStats> Days);
