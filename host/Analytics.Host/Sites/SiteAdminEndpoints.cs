using System.Text.Json;
using Analytics.Analysts.Access;
using Analytics.Collector.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Host.Sites;

/// <summary>
/// The sites admin API: the same changes as `analytics site`, with an admin key (./analytics key create --admin).
/// Reading or changing a site needs an admin key for it; registering or removing one needs an admin key for
/// every site (--site '*'). Each change is checked, audited with the key's public id and applies at once.
/// </summary>
public static class SiteAdminEndpoints
{
    private const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapSiteAdmin(this IEndpointRouteBuilder routes)
    {
        var sites = routes.MapGroup("/api/v2/sites").WithTags("Sites");
        Refusals(sites.MapGet("", List).WithName("ListSites").WithSummary("The registered sites the admin key covers.")
            .Produces<List<SiteBody>>());
        Refusals(sites.MapGet("/{id}", Get).WithName("GetSite").WithSummary("A registered site's settings. Admin key for the site.")
            .Produces<SiteBody>().ProducesProblem(StatusCodes.Status404NotFound));
        Refusals(sites.MapPost("", Add).WithName("AddSite")
            .WithSummary("Registers a site (id and hosts; the other settings default). Admin key for every site.")
            .Accepts<SiteBody>("application/json")
            .Produces<SiteBody>(StatusCodes.Status201Created));
        Refusals(sites.MapPatch("/{id}", Set).WithName("ChangeSite")
            .WithSummary("Changes the settings the body gives; the others stay. Admin key for the site.")
            .Accepts<SiteBody>("application/json")
            .Produces<SiteBody>().ProducesProblem(StatusCodes.Status404NotFound));
        Refusals(sites.MapDelete("/{id}", Remove).WithName("RemoveSite")
            .WithSummary("Unregisters a site: its beacons are rejected from then on; stored data stays until its retention ends. Admin key for every site.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound));
        return routes;
    }

    private static RouteHandlerBuilder Refusals(RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static IResult List(HttpContext http, AccessGate gate, SiteStore store)
    {
        if (Admin(http, gate, out var key) is { } refused)
        {
            return refused;
        }
        var all = key!.Sites.Contains("*", StringComparer.Ordinal);
        return TypedResults.Json(store.List().Where(s => all || key.Sites.Contains(s.Id, StringComparer.Ordinal)).Select(SiteBody.From).ToList(),
            SitesJsonContext.Default.ListSiteBody);
    }

    private static IResult Get(HttpContext http, AccessGate gate, SiteStore store, string id) =>
        AdminFor(http, gate, id) ?? (store.Find(id) is { } site
            ? TypedResults.Json(SiteBody.From(site), SitesJsonContext.Default.SiteBody)
            : Problem(StatusCodes.Status404NotFound, $"no site '{id}' is registered"));

    private static async Task<IResult> Add(HttpContext http, AccessGate gate, SiteStore store, SiteRegistry registry, CancellationToken cancellationToken)
    {
        if (AdminForAll(http, gate, out var key) is { } refused)
        {
            return refused;
        }
        var (body, bad) = await ReadAsync(http, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }
        return Apply(registry, () => store.Add(body!.Id ?? "", body.ToPatch(), Actor(key!)), site =>
            TypedResults.Json(SiteBody.From(site!), SitesJsonContext.Default.SiteBody, statusCode: StatusCodes.Status201Created));
    }

    private static async Task<IResult> Set(HttpContext http, AccessGate gate, SiteStore store, SiteRegistry registry, string id, CancellationToken cancellationToken)
    {
        if ((Admin(http, gate, out var key) ?? Covers(key!, id)) is { } refused)
        {
            return refused;
        }
        var (body, bad) = await ReadAsync(http, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }
        if (body!.Id is not null && body.Id != id)
        {
            return Problem(StatusCodes.Status400BadRequest, "a site's id cannot be changed (add a new site and remove this one)");
        }
        return Apply(registry, () => store.Set(id, body.ToPatch(), Actor(key!)), site => TypedResults.Json(SiteBody.From(site!), SitesJsonContext.Default.SiteBody));
    }

    private static IResult Remove(HttpContext http, AccessGate gate, SiteStore store, SiteRegistry registry, string id) =>
        AdminForAll(http, gate, out var key) ?? Apply(registry, () =>
        {
            store.Remove(id, Actor(key!));
            return null;
        }, _ => TypedResults.NoContent());

    /// <summary>Makes the change, reloads the registry so it applies before the answer, and turns a refusal into a 400 or 404.</summary>
    private static IResult Apply(SiteRegistry registry, Func<SiteOptions?> change, Func<SiteOptions?, IResult> answer)
    {
        SiteOptions? site;
        try
        {
            site = change();
        }
        catch (SiteChangeException e)
        {
            return Problem(e.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, e.Message);
        }
        registry.Reload();
        return answer(site);
    }

    private static async Task<(SiteBody? Body, IResult? Bad)> ReadAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, $"The body may be at most {MaxBodyBytes} bytes."));
        }
        try
        {
            var body = await JsonSerializer.DeserializeAsync(http.Request.Body, SitesJsonContext.Default.SiteBody, cancellationToken);
            return body is null ? (null, Problem(StatusCodes.Status400BadRequest, "A JSON object is required.")) : (body, null);
        }
        catch (JsonException)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "The body is not valid JSON of the documented shape (consent_mode is Anonymous or Drop)."));
        }
    }

    /// <summary>The audit names the key by its public id, never the key.</summary>
    private static string Actor(ApiKey key) => "api:" + key.Id;

    private static IResult? Admin(HttpContext http, AccessGate gate, out ApiKey? key) =>
        gate.Authenticate(http, out key) ?? (key!.Kind == ApiKeyKinds.Admin
            ? null
            : Problem(StatusCodes.Status403Forbidden, "Only an admin key may manage sites (./analytics key create --site SITE --admin)."));

    private static IResult? AdminFor(HttpContext http, AccessGate gate, string id) => Admin(http, gate, out var key) ?? Covers(key!, id);

    private static IResult? AdminForAll(HttpContext http, AccessGate gate, out ApiKey? key) =>
        Admin(http, gate, out key) ?? (key!.Sites.Contains("*", StringComparer.Ordinal)
            ? null
            : Problem(StatusCodes.Status403Forbidden, "Only an admin key for every site may add or remove sites (./analytics key create --site '*' --admin)."));

    private static ProblemHttpResult? Covers(ApiKey key, string id) =>
        key.Sites.Contains(id, StringComparer.Ordinal) || key.Sites.Contains("*", StringComparer.Ordinal)
            ? null
            : Problem(StatusCodes.Status403Forbidden, "This admin key may not manage that site.");

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
