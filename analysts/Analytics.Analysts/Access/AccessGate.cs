using System.Globalization;
using Analytics.Pipeline.Sites;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Analytics.Analysts.Access;

/// <summary>
/// Who may read which site: a Bearer key from the keys file, scoped to sites, counted against its rate
/// limit. Without a valid key there is a 401 and no data; with a key for other sites, a 403.
/// </summary>
public sealed class AccessGate(ApiKeyStore keys, RateLimiter limiter, IOptions<AnalystsOptions> options, ISiteSettings? sites = null)
{
    private readonly int _sharedMinVisitors = options.Value.SharedMinVisitors;

    /// <summary>Finds the caller's key and counts the request; an error result when there is none or it is over its limit.</summary>
    public IResult? Authenticate(HttpContext http, out ApiKey? key)
    {
        key = null;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Unauthorized(http, "An API key is required: send it as 'Authorization: Bearer <key>'.");
        }
        key = keys.Find(header["Bearer ".Length..].Trim());
        if (key is null)
        {
            return Unauthorized(http, "The API key is not valid or has been revoked.");
        }
        var decision = limiter.Take(key.Id);
        var headers = http.Response.Headers;
        headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = decision.ResetSeconds.ToString(CultureInfo.InvariantCulture);
        if (!decision.Allowed)
        {
            headers.RetryAfter = decision.ResetSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem($"Rate limit of {decision.Limit} requests per minute reached; retry in {decision.ResetSeconds} s.", statusCode: StatusCodes.Status429TooManyRequests);
        }
        return null;
    }

    /// <summary>A 400 without a site, a 403 unless the key may read <paramref name="site"/>.</summary>
    public static IResult? Authorize(ApiKey key, string site) =>
        string.IsNullOrEmpty(site)
            ? TypedResults.Problem("site_id is required.", statusCode: StatusCodes.Status400BadRequest)
            : key.Sites.Contains(site, StringComparer.Ordinal) || key.Sites.Contains("*", StringComparer.Ordinal)
                ? null
                : TypedResults.Problem("This API key may not read that site.", statusCode: StatusCodes.Status403Forbidden);

    /// <summary>
    /// Shared links show only rows with at least this many visitors (privacy invariant 5): Analysts:SharedMinVisitors,
    /// raised to the site's KThreshold in the site registry.
    /// </summary>
    public int? MinVisitorsFor(ApiKey key, string site) =>
        key.Kind == ApiKeyKinds.Share ? Math.Max(_sharedMinVisitors, sites?.Find(site)?.KThreshold ?? 0) : null;

    private static ProblemHttpResult Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized);
    }
}
