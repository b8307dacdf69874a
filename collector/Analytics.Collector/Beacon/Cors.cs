using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Microsoft.AspNetCore.Http;

namespace Analytics.Collector.Beacon;

/// <summary>CORS for POST /e: only an origin on a registered site's host is allowed, and echoed only then.</summary>
internal static class Cors
{
    /// <summary>Adds the CORS answer when the request's Origin is a registered one; true then.</summary>
    public static bool Allow(HttpContext http, SiteRegistry sites, bool preflight)
    {
        var headers = http.Response.Headers;
        headers.Vary = "Origin";
        var origins = http.Request.Headers.Origin;
        if (origins.Count != 1 || origins[0] is not { } origin || !IsPlainOrigin(origin)
            || !ValidateStep.TryGetHost(origin, out var host) || !sites.IsRegisteredHost(host))
        {
            return false;
        }
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlAllowCredentials = "true";
        if (preflight)
        {
            headers.AccessControlAllowMethods = "POST";
            headers.AccessControlAllowHeaders = "Content-Type";
            headers.AccessControlMaxAge = "86400";
        }
        return true;
    }

    /// <summary>scheme://host[:port] and nothing else, in plain ASCII, before anything is echoed back.</summary>
    private static bool IsPlainOrigin(string origin)
    {
        if (origin.Length > 253 + 16)
        {
            return false;
        }
        var slashes = 0;
        foreach (var c in origin)
        {
            if (c == '/')
            {
                slashes++;
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']'))
            {
                return false;
            }
        }
        return slashes == 2;
    }
}
