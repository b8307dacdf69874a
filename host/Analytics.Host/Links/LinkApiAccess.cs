using Analytics.Analysts.Access;

namespace Analytics.Host.Links;

/// <summary>Who may sign newsletter links through the API: a stats API key or an admin key (not a shared-dashboard link) for the site.</summary>
public static class LinkApiAccess
{
    public static IResult? Check(AccessGate gate, HttpContext http, string site)
    {
        if (gate.Authenticate(http, out var key) is { } refused)
        {
            return refused;
        }
        if (key!.Kind == ApiKeyKinds.Share)
        {
            return TypedResults.Problem("A shared dashboard link cannot sign links.", statusCode: StatusCodes.Status403Forbidden);
        }
        return AccessGate.Authorize(key, site);
    }
}
