using System.Text.Json;
using Analytics.Analysts.Access;
using Analytics.Analysts.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Analysts.Insights;

/// <summary>
/// Goals and segments of a site (read with any key for the site, changed with its admin key), funnels, and
/// the custom property names in use. Conversions themselves are metrics of POST /api/v2/query.
/// </summary>
public static class InsightsEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapInsightsApi(this IEndpointRouteBuilder routes)
    {
        var saved = routes.MapGroup("/api/v2").WithTags("Goals and segments");
        Refusals(saved.MapGet("/goals", ListGoals).WithName("ListGoals").WithSummary("The site's goals.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        Refusals(saved.MapPost("/goals", CreateGoal).WithName("CreateGoal")
            .WithSummary("Adds a goal: a page path pattern (path, * for any characters) or a custom event (event), optionally with a property match. Admin key.")
            .Accepts<GoalBody>("application/json")
            .Produces(StatusCodes.Status201Created, contentType: "application/json"));
        Refusals(saved.MapDelete("/goals/{id}", DeleteGoal).WithName("DeleteGoal").WithSummary("Removes a goal by id or name. Admin key.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound));
        Refusals(saved.MapGet("/segments", ListSegments).WithName("ListSegments").WithSummary("The site's saved segments (named filter sets).")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        Refusals(saved.MapPost("/segments", SaveSegment).WithName("SaveSegment")
            .WithSummary("Saves a named filter set (replacing one of the same name); use it as [\"is\", \"segment\", [NAME]]. Admin key.")
            .Accepts<SegmentBody>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        Refusals(saved.MapDelete("/segments/{id}", DeleteSegment).WithName("DeleteSegment").WithSummary("Removes a segment by id or name. Admin key.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound));

        var stats = routes.MapGroup("/api/v2").WithTags("Stats");
        Refusals(stats.MapPost("/funnel", PostFunnel).WithName("Funnel")
            .WithSummary("Visitors per funnel step (2 to 8 goals or pages, within a visit or N days) and the drop-off between steps; exact counts.")
            .Accepts<FunnelBodyExample>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        Refusals(stats.MapGet("/properties", GetPropertyNames).WithName("PropertyNames")
            .WithSummary("Custom property names carried by the period's hits, most used first (query them as event:props:NAME).")
            .Produces(StatusCodes.Status200OK, contentType: "application/json"));
        return routes;
    }

    private static RouteHandlerBuilder Refusals(RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static IResult ListGoals(HttpContext http, AccessGate gate, DefinitionStore definitions, string? site_id) =>
        Reader(http, gate, site_id) ?? TypedResults.Json(definitions.GoalsOf(site_id!).ToList(), InsightsJsonContext.Default.ListGoal);

    private static IResult ListSegments(HttpContext http, AccessGate gate, DefinitionStore definitions, string? site_id) =>
        Reader(http, gate, site_id) ?? TypedResults.Json(definitions.SegmentsOf(site_id!).ToList(), InsightsJsonContext.Default.ListSegment);

    private static async Task<IResult> CreateGoal(HttpContext http, AccessGate gate, DefinitionStore definitions, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadAsync(http, gate, InsightsJsonContext.Default.GoalBody, b => b.SiteId, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        try
        {
            var goal = definitions.AddGoal(body!.SiteId!, body.Name!, Blank(body.Path), Blank(body.Event), Blank(body.PropertyName), body.PropertyName is null ? null : body.PropertyValue);
            return TypedResults.Json(goal, InsightsJsonContext.Default.Goal, statusCode: StatusCodes.Status201Created);
        }
        catch (DefinitionException e)
        {
            return BadRequest(e.Message);
        }
    }

    private static async Task<IResult> SaveSegment(HttpContext http, AccessGate gate, DefinitionStore definitions, StatsQueryParser parser, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadAsync(http, gate, InsightsJsonContext.Default.SegmentBody, b => b.SiteId, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        try
        {
            if (Mentions(body!.Filters, "segment"))
            {
                return BadRequest("A segment cannot contain another segment.");
            }
            // Checked as a query would check them, so a saved segment always parses.
            _ = parser.ParseFilterList(body.Filters, "filters", body.SiteId);
            var segment = definitions.SaveSegment(body.SiteId!, body.Name!, body.Filters);
            return TypedResults.Json(segment, InsightsJsonContext.Default.Segment);
        }
        catch (Exception e) when (e is BadQueryException or DefinitionException)
        {
            return BadRequest(e.Message);
        }
    }

    private static IResult DeleteGoal(HttpContext http, AccessGate gate, DefinitionStore definitions, string id, string? site_id) =>
        Admin(http, gate, site_id) ?? (definitions.RemoveGoal(site_id!, Unescaped(id)) ? TypedResults.NoContent() : NotFound("The site has no such goal."));

    private static IResult DeleteSegment(HttpContext http, AccessGate gate, DefinitionStore definitions, string id, string? site_id) =>
        Admin(http, gate, site_id) ?? (definitions.RemoveSegment(site_id!, Unescaped(id)) ? TypedResults.NoContent() : NotFound("The site has no such segment."));

    private static async Task<IResult> PostFunnel(HttpContext http, AccessGate gate, StatsQueryParser parser, FunnelQuery funnels, CancellationToken cancellationToken)
    {
        if (gate.Authenticate(http, out var key) is { } denied)
        {
            return denied;
        }
        JsonDocument document;
        try
        {
            if (http.Request.ContentLength > MaxBodyBytes)
            {
                return BadRequest($"The body may be at most {MaxBodyBytes} bytes.");
            }
            document = await JsonDocument.ParseAsync(http.Request.Body, default, cancellationToken);
        }
        catch (JsonException)
        {
            return BadRequest("The body is not valid JSON.");
        }
        using (document)
        {
            var body = document.RootElement;
            var site = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("site_id", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
            if (AccessGate.Authorize(key!, site) is { } forbidden)
            {
                return forbidden;
            }
            try
            {
                var request = funnels.Parse(body);
                Filter? locked = key!.LockedFilters is { ValueKind: JsonValueKind.Array } l ? new AllOf(parser.ParseFilterList(l, "locked filters", site)) : null;
                var answer = await funnels.RunAsync(request, locked, gate.MinVisitorsFor(key, site), cancellationToken);
                return TypedResults.Json(answer, InsightsJsonContext.Default.FunnelAnswer);
            }
            catch (BadQueryException e)
            {
                return BadRequest(e.Message);
            }
        }
    }

    private static async Task<IResult> GetPropertyNames(HttpContext http, AccessGate gate, StatsQueryParser parser, QueryRunner runner, string? site_id, string? date_range,
        CancellationToken cancellationToken)
    {
        if ((gate.Authenticate(http, out var key) ?? AccessGate.Authorize(key!, site_id ?? "")) is { } refused)
        {
            return refused;
        }
        try
        {
            var range = parser.ParseRange(date_range, parser.TimeZoneOf(site_id!));
            // A shared link sees the names on its locked filter's hits only, and none carried by fewer than its k visitors.
            Filter? locked = key!.LockedFilters is { ValueKind: JsonValueKind.Array } l ? new AllOf(parser.ParseFilterList(l, "locked filters", site_id)) : null;
            var plan = runner.Planner.PropertyNamesPlan(site_id!, range, 100, locked, gate.MinVisitorsFor(key, site_id!));
            var (rows, _) = await runner.ReadAsync(plan, 1, cancellationToken);
            return TypedResults.Json(new PropertyNamesAnswer([.. rows.Select(r => new PropertyNameCount(r.Dimensions[0], (long)r.Metrics[0]))]),
                InsightsJsonContext.Default.PropertyNamesAnswer);
        }
        catch (BadQueryException e)
        {
            return BadRequest(e.Message);
        }
    }

    private static IResult? Reader(HttpContext http, AccessGate gate, string? site) =>
        gate.Authenticate(http, out var key) ?? AccessGate.Authorize(key!, site ?? "");

    private static IResult? Admin(HttpContext http, AccessGate gate, string? site) =>
        gate.Authenticate(http, out var key) ?? AccessGate.AuthorizeAdmin(key!, site ?? "");

    private static async Task<(T? Body, IResult? Refused)> ReadAsync<T>(HttpContext http, AccessGate gate, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type,
        Func<T, string?> site, CancellationToken cancellationToken) where T : class
    {
        if (gate.Authenticate(http, out var key) is { } denied)
        {
            return (null, denied);
        }
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return (null, BadRequest($"The body may be at most {MaxBodyBytes} bytes."));
        }
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(http.Request.Body, type, cancellationToken);
        }
        catch (JsonException)
        {
            return (null, BadRequest("The body is not valid JSON of the documented shape."));
        }
        if (body is null)
        {
            return (null, BadRequest("A JSON object is required."));
        }
        return (body, AccessGate.AuthorizeAdmin(key!, site(body) ?? ""));
    }

    private static bool Mentions(JsonElement element, string dimension) => element.ValueKind switch
    {
        JsonValueKind.Array => element.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String ? e.GetString() == dimension : Mentions(e, dimension)),
        _ => false,
    };

    /// <summary>Routing leaves an escaped slash (%2F) escaped in a route value; a name may hold one.</summary>
    private static string Unescaped(string id) => Uri.UnescapeDataString(id);

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);
}

/// <summary>POST /api/v2/funnel body, for the OpenAPI document (the endpoint reads the JSON itself).</summary>
#pragma warning disable CA1707, IDE1006 // the API's snake_case names
public sealed record FunnelBodyExample(string site_id, string? date_range, IReadOnlyList<Dictionary<string, string>> steps, int? within_days, JsonElement? filters);
#pragma warning restore CA1707, IDE1006
