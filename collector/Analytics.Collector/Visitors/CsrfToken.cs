using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Analytics.Collector.Identity;
using Microsoft.AspNetCore.Http;

namespace Analytics.Collector.Visitors;

/// <summary>
/// CSRF defence for the visitor's POST forms, in three layers: the browser's own Origin / Sec-Fetch-Site
/// headers must say the form came from this collector; the token is in a SameSite=Strict cookie and in
/// the form (a cross-site page can read neither); and the token is signed by the collector (HMAC with
/// the signing keys, purpose <see cref="SigningPurpose.Csrf"/>) over its issue time and the visitor ID
/// the page was shown to, so a pair the client makes up itself, or a token issued to another browser,
/// never verifies.
/// </summary>
internal sealed class CsrfToken(SigningKeys keys, VisitorCookie cookie, TimeProvider clock)
{
    public const string CookieName = "_csrf";
    public const string FieldName = "csrf";
    public const int MaxFormBytes = 1024;

    /// <summary>Length of a token: base64url of 16 random + 4 (issue minute) + 16 (tag) bytes.</summary>
    public const int Length = 48;

    /// <summary>A page left open longer than this must be reloaded before its form works.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    private const int NonceLength = 16;
    private const int SignedLength = NonceLength + sizeof(uint);
    private const int RawLength = SignedLength + SigningKeys.TagLength;

    /// <summary>Gives the page a fresh token (cookie) and returns it for the form's hidden field.</summary>
    public string Issue(HttpContext http)
    {
        Span<byte> raw = stackalloc byte[RawLength];
        RandomNumberGenerator.Fill(raw[..NonceLength]);
        BinaryPrimitives.WriteUInt32BigEndian(raw[NonceLength..], (uint)MinuteOf(clock.GetUtcNow()));
        Sign(raw[..SignedLength], VisitorOf(http), raw[SignedLength..]);
        var token = Base64Url.EncodeToString(raw);
        http.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            IsEssential = true,
            MaxAge = Lifetime,
        });
        return token;
    }

    /// <summary>True only for a same-origin form POST that carries the signed token of its page, for this visitor.</summary>
    public async Task<bool> IsValidAsync(HttpContext http)
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
        var inCookie = request.Cookies[CookieName];
        var field = form[FieldName];
        return inCookie is { Length: Length } && field.Count == 1 && field[0] is { Length: Length } sent
            && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(inCookie), System.Text.Encoding.ASCII.GetBytes(sent))
            && Verifies(sent, VisitorOf(http));
    }

    /// <summary>The token's tag was made by our keys for this visitor, and it is neither expired nor from the future.</summary>
    private bool Verifies(string token, Guid visitor)
    {
        Span<byte> raw = stackalloc byte[RawLength];
        if (Base64Url.DecodeFromChars(token, raw, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != Length || written != RawLength)
        {
            return false;
        }
        Span<byte> expected = stackalloc byte[SignedLength + 16];
        raw[..SignedLength].CopyTo(expected);
        visitor.TryWriteBytes(expected[SignedLength..]);
        if (keys.Verify(SigningPurpose.Csrf, expected, raw[SignedLength..]) < 0)
        {
            return false;
        }
        var age = MinuteOf(clock.GetUtcNow()) - BinaryPrimitives.ReadUInt32BigEndian(raw[NonceLength..]);
        return age >= -5 && age <= (long)Lifetime.TotalMinutes;
    }

    private void Sign(ReadOnlySpan<byte> signed, Guid visitor, Span<byte> tag)
    {
        Span<byte> data = stackalloc byte[SignedLength + 16];
        signed.CopyTo(data);
        visitor.TryWriteBytes(data[SignedLength..]);
        keys.Sign(SigningPurpose.Csrf, data, tag);
    }

    /// <summary>The visitor ID of the browser's valid cookie, or empty (no ID, opted out, forged): the token is bound to it.</summary>
    private Guid VisitorOf(HttpContext http) =>
        cookie.TryRead(http.Request.Cookies[cookie.Name], VisitorCookie.DayOf(clock.GetUtcNow().UtcDateTime), out var id, out _) ? id : Guid.Empty;

    private static long MinuteOf(DateTimeOffset now) => now.ToUnixTimeSeconds() / 60;

    /// <summary>
    /// Sec-Fetch-Site, when sent, must say same-origin (or none: typed or bookmarked). Origin, when sent,
    /// must be this collector, or "null" together with Sec-Fetch-Site: same-origin: our pages are served
    /// with Referrer-Policy: no-referrer, and Chromium then sends Origin: null on their own form POSTs.
    /// </summary>
    private static bool SameOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"];
        if (fetchSite.Count > 1 || (fetchSite.Count == 1 && fetchSite[0] is not ("same-origin" or "none")))
        {
            return false;
        }
        var origin = request.Headers.Origin;
        if (origin.Count == 0)
        {
            return true;
        }
        if (origin.Count > 1)
        {
            return false;
        }
        if (origin[0] == "null")
        {
            return fetchSite.Count == 1 && fetchSite[0] == "same-origin";
        }
        var own = request.Scheme + "://" + request.Host.Value;
        return string.Equals(origin[0], own, StringComparison.OrdinalIgnoreCase);
    }
}
