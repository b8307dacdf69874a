using System.Text.Json;
using Analytics.Analysts.Access;
using Analytics.Analysts.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Analysts.Api;

/// <summary>
/// The stats API: one query endpoint in the shape of Plausible's POST /api/v2/query, GET shortcuts for
/// the common questions, and realtime. Every endpoint needs a Bearer key for the site.
/// </summary>
public static class QueryEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v2").WithTags("Stats");
        RefusalsOf(api.MapPost("/query", PostQuery)
            .WithName("Query")
            .WithSummary("Any question in one call: metrics, dimensions, filters, date range, comparison, order, pagination.")
            .Accepts<QueryBodyExample>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv"));
        RefusalsOf(api.MapGet("/aggregate", GetAggregate).WithName("Aggregate").WithSummary("Totals for a period.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        RefusalsOf(api.MapGet("/timeseries", GetTimeseries).WithName("Timeseries").WithSummary("Metrics per hour, day, week or month.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        RefusalsOf(api.MapGet("/breakdown", GetBreakdown).WithName("Breakdown").WithSummary("Metrics per value of one dimension.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        RefusalsOf(api.MapGet("/realtime", GetRealtime).WithName("Realtime").WithSummary("Visitors and pageviews in the last 5 minutes.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        return routes;
    }

    /// <summary>The refusals every stats request can get: a bad question, no or a wrong key, over the rate limit.</summary>
    private static RouteHandlerBuilder RefusalsOf(RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static async Task<IResult> PostQuery(HttpContext http, AccessGate gate, StatsQueryParser parser, QueryRunner runner, [FromQuery] string? format, CancellationToken cancellationToken)
    {
        if (gate.Authenticate(http, out var key) is { } denied)
        {
            return denied;
        }
        var (document, problem) = await JsonBody.ReadAsync(http.Request, MaxBodyBytes, cancellationToken);
        if (document is null)
        {
            return BadRequest(problem!);
        }
        using (document)
        {
            var body = document.RootElement;
            var site = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("site_id", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
            if (AccessGate.Authorize(key!, site) is { } forbidden)
            {
                return forbidden;
            }
            if (format is null && body.ValueKind == JsonValueKind.Object && body.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String)
            {
                format = f.GetString();
            }
            return await AnswerAsync(http, gate, key!, parser, runner, () => parser.Parse(body), format, cancellationToken);
        }
    }

    private static Task<IResult> GetAggregate(HttpContext http, AccessGate gate, StatsQueryParser parser, QueryRunner runner,
        [AsParameters] CommonParameters common, CancellationToken cancellationToken) =>
        GetAsync(http, gate, parser, runner, common, [], null, cancellationToken);

    private static Task<IResult> GetTimeseries(HttpContext http, AccessGate gate, StatsQueryParser parser, QueryRunner runner,
        [AsParameters] CommonParameters common, string? interval, CancellationToken cancellationToken) =>
        GetAsync(http, gate, parser, runner, common, ["time:" + (interval ?? "day")], null, cancellationToken);

    private static Task<IResult> GetBreakdown(HttpContext http, AccessGate gate, StatsQueryParser parser, QueryRunner runner,
        [AsParameters] CommonParameters common, string? dimension, string? order_by, CancellationToken cancellationToken) =>
        GetAsync(http, gate, parser, runner, common, [dimension ?? "page"], order_by, cancellationToken);

    private static async Task<IResult> GetRealtime(HttpContext http, AccessGate gate, RealtimeQuery realtime, StatsQueryParser parser, string? site_id, CancellationToken cancellationToken)
    {
        if (gate.Authenticate(http, out var key) is { } denied)
        {
            return denied;
        }
        if (AccessGate.Authorize(key!, site_id ?? "") is { } forbidden)
        {
            return forbidden;
        }
        Realtime now;
        try
        {
            // A shared link locked to a filter sees only the current visitors that match it, as its other panels do.
            var locked = key!.LockedFilters is { ValueKind: JsonValueKind.Array } filters ? new AllOf(parser.ParseFilterList(filters, "locked filters", site_id)) : null;
            now = await realtime.RunAsync(site_id!, locked, cancellationToken);
        }
        catch (BadQueryException e)
        {
            return BadRequest(e.Message);
        }
        var minutes = (int)RealtimeQuery.Window.TotalMinutes;
        // A shared link is held to its k like every other number it shows: under k current visitors it
        // learns only that there are fewer (their pageviews too are withheld, as they would tell them apart).
        return gate.MinVisitorsFor(key!, site_id!) is { } k && now.Visitors < k
            ? TypedResults.Json(new RealtimeAnswer(null, null, minutes) { FewerThan = k }, AnalystsJsonContext.Default.RealtimeAnswer)
            : TypedResults.Json(new RealtimeAnswer(now.Visitors, now.Pageviews, minutes), AnalystsJsonContext.Default.RealtimeAnswer);
    }

    private static async Task<IResult> GetAsync(HttpContext http, AccessGate gate, StatsQueryParser parser, QueryRunner runner,
        CommonParameters common, string[] dimensions, string? orderBy, CancellationToken cancellationToken)
    {
        if (gate.Authenticate(http, out var key) is { } denied)
        {
            return denied;
        }
        if (AccessGate.Authorize(key!, common.site_id ?? "") is { } forbidden)
        {
            return forbidden;
        }
        return await AnswerAsync(http, gate, key!, parser, runner, () =>
        {
            var zone = parser.TimeZoneOf(common.site_id!);
            var metrics = StatsQueryParser.ParseMetrics((common.metrics ?? "visitors").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var dims = parser.ParseDimensions(dimensions);
            Filter? filter = null;
            if (!string.IsNullOrEmpty(common.filters))
            {
                using var parsed = JsonBody.ParseText(common.filters)
                    ?? throw new BadQueryException("filters must be a JSON array of filter expressions, as in the query body.");
                filter = new AllOf(parser.ParseFilterList(parsed.RootElement, "filters", common.site_id));
            }
            var (limit, offset) = parser.CheckedPagination(common.limit ?? (dims.Any(d => d.Grain is not null) ? 1000 : 100), common.offset ?? 0);
            var order = orderBy is null ? [] : new[] { ParseOrder(orderBy, metrics, dims) };
            return new StatsQuery
            {
                SiteId = common.site_id!,
                TimeZone = zone,
                Range = parser.ParseRange(common.date_range, zone),
                Metrics = metrics,
                Dimensions = dims,
                Filter = filter,
                OrderBy = order,
                Limit = limit,
                Offset = offset,
                Comparison = StatsQueryParser.ParseComparison(common.compare),
            };
        }, common.format, cancellationToken);
    }

    private static OrderBy ParseOrder(string text, IReadOnlyList<Metric> metrics, IReadOnlyList<QueryDimension> dimensions)
    {
        var colon = text.LastIndexOf(':');
        return colon < 0
            ? StatsQueryParser.ParseOrderItem(text, "desc", metrics, dimensions)
            : StatsQueryParser.ParseOrderItem(text[..colon], text[(colon + 1)..], metrics, dimensions);
    }

    private static async Task<IResult> AnswerAsync(HttpContext http, AccessGate gate, ApiKey key, StatsQueryParser parser, QueryRunner runner,
        Func<StatsQuery> build, string? format, CancellationToken cancellationToken)
    {
        StatsQuery query;
        QueryResult result;
        try
        {
            query = build();
            if (key.LockedFilters is { ValueKind: JsonValueKind.Array } locked)
            {
                // A shared link's filter is combined with whatever the viewer adds: it can only narrow.
                var lockedFilter = new AllOf(parser.ParseFilterList(locked, "locked filters", query.SiteId));
                query = query with { Filter = query.Filter is null ? lockedFilter : new AllOf([query.Filter, lockedFilter]) };
            }
            result = await runner.RunAsync(query, gate.MinVisitorsFor(key, query.SiteId), cancellationToken);
        }
        catch (BadQueryException e)
        {
            return BadRequest(e.Message);
        }
        if (WantsCsv(http, format))
        {
            var name = $"{query.SiteId}-{string.Join('-', query.Dimensions.Select(d => d.Name.Replace(':', '_')).DefaultIfEmpty("aggregate"))}.csv";
            return TypedResults.File(ResultWriter.Csv(result), "text/csv; charset=utf-8", name);
        }
        return TypedResults.Bytes(ResultWriter.Json(result), "application/json");
    }

    private static bool WantsCsv(HttpContext http, string? format) =>
        format is not null
            ? string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            : http.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase);

    private static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);
}

/// <summary>Query-string parameters shared by the GET shortcuts (names as in the JSON body).</summary>
#pragma warning disable CA1707, IDE1006 // the parameter names are the API's snake_case names
public sealed record CommonParameters(
    string? site_id,
    string? metrics,
    string? date_range,
    string? filters,
    string? compare,
    int? limit,
    int? offset,
    string? format);
#pragma warning restore CA1707, IDE1006

/// <summary>
/// GET /api/v2/realtime answer. Through a shared link with fewer current visitors than its k, visitors and
/// pageviews are null and <see cref="FewerThan"/> is that k.
/// </summary>
public sealed record RealtimeAnswer(long? Visitors, long? Pageviews, int Minutes)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? FewerThan { get; init; }
}
