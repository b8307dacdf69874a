using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Analytics.Collector.Visitors;

/// <summary>
/// CSRF defence for the visitor's POST forms, in two layers: a token both in a SameSite=Strict cookie and
/// in the form (a cross-site page can read neither), and the browser's own Origin / Sec-Fetch-Site
/// headers, which must say the form came from this collector.
/// </summary>
internal static class CsrfToken
{
    public const string CookieName = "_csrf";
    public const string FieldName = "csrf";
    public const int MaxFormBytes = 1024;

    /// <summary>Gives the page a fresh token (cookie) and returns it for the form's hidden field.</summary>
    public static string Issue(HttpContext http)
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var token = Base64Url.EncodeToString(random);
        http.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        return token;
    }

    /// <summary>True only for a same-origin form POST that carries the token of its page.</summary>
    public static async Task<bool> IsValidAsync(HttpContext http)
    {
        var request = http.Request;
        if (!SameOrigin(request))
        {
            return false;
        }
        if (!request.HasFormContentType || request.ContentLength is null or > MaxFormBytes)
        {
            return false;
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return false;
        }
        var cookie = request.Cookies[CookieName];
        var field = form[FieldName];
        return cookie is { Length: 22 } && field.Count == 1 && field[0] is { Length: 22 } sent
            && CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(cookie), System.Text.Encoding.ASCII.GetBytes(sent));
    }

    /// <summary>Origin, when sent, must be this collector; Sec-Fetch-Site, when sent, must not say cross-site.</summary>
    private static bool SameOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"];
        if (fetchSite.Count > 0 && fetchSite[0] is not ("same-origin" or "none"))
        {
            return false;
        }
        var origin = request.Headers.Origin;
        if (origin.Count == 0)
        {
            return true;
        }
        var own = request.Scheme + "://" + request.Host.Value;
        return origin.Count == 1 && string.Equals(origin[0], own, StringComparison.OrdinalIgnoreCase);
    }
}
