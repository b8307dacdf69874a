using Analytics.Analysts.Access;
using Analytics.Collector.Sites;

namespace Analytics.Host.Stats;

/// <summary>
/// GET /api/stats/daily: pageviews and visitors per day, for a stats API key of the site like every other
/// stats request. Without a key it is a 401 and with a key for other sites a 403, whether the site exists
/// or not, so site IDs cannot be probed. A shared dashboard link may not read it: its numbers carry
/// neither the link's locked filter nor its small-cell threshold.
/// </summary>
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

    private static async Task<IResult> GetDaily(
        HttpContext http, string? site, AccessGate gate, SiteRegistry sites, DailyStatsQuery query, CancellationToken cancellationToken)
    {
        if (gate.Authenticate(http, out var key) is { } refused)
        {
            return refused;
        }
        if (key!.Kind == ApiKeyKinds.Share)
        {
            return TypedResults.Problem("A shared dashboard link cannot read the daily totals.", statusCode: StatusCodes.Status403Forbidden);
        }
        if (AccessGate.Authorize(key, site ?? "") is { } forbidden)
        {
            return forbidden;
        }
        if (!sites.TryGet(site!, out _))
        {
            return TypedResults.Problem("Unknown site.", statusCode: StatusCodes.Status404NotFound);
        }
        var days = await query.RunAsync(site!, cancellationToken);
        return TypedResults.Json(new DailyStatsResponse(site!, days), StatsJsonContext.Default.DailyStatsResponse);
    }
}

/// <summary>GET /api/stats/daily answer.</summary>
public sealed record DailyStatsResponse(string Site, IReadOnlyList<DailyStats> Days);
