using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Analytics.Collector.Identity;

/// <summary>
/// The visitor ID cookie: 128 random bits from a CSPRNG, the day it was issued and an HMAC tag over both,
/// as 48 base64url characters. A value that does not verify is never trusted: the visitor gets a new ID.
/// </summary>
public sealed class VisitorCookie
{
    /// <summary>Length of the cookie value: base64url of 16 (ID) + 4 (day) + 16 (tag) bytes.</summary>
    public const int ValueLength = 48;

    private const int IdLength = 16;
    private const int SignedLength = IdLength + sizeof(uint);
    private const int RawLength = SignedLength + SigningKeys.TagLength;

    private readonly SigningKeys _keys;
    private readonly int _lifetimeDays;
    private readonly CookieOptions _plain;
    private readonly CookieOptions _secure;
    private readonly string _plainAttributes;
    private readonly string _secureAttributes;

    public VisitorCookie(SigningKeys keys, IOptions<IdentityOptions> options)
    {
        _keys = keys;
        var o = options.Value;
        Name = o.CookieName;
        OptOutName = o.OptOutCookieName;
        _lifetimeDays = (int)o.Lifetime.TotalDays;
        _plain = CookieOptionsFor(o, secure: false);
        _secure = CookieOptionsFor(o, secure: true);
        _plainAttributes = AttributesOf(_plain);
        _secureAttributes = AttributesOf(_secure);
    }

    public string Name { get; }

    public string OptOutName { get; }

    public static Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[IdLength];
        RandomNumberGenerator.Fill(bytes);
        return new Guid(bytes);
    }

    /// <summary>Signs an ID as issued on <paramref name="day"/> (days since 1970-01-01).</summary>
    public string Format(Guid id, int day)
    {
        Span<byte> raw = stackalloc byte[RawLength];
        Sign(id, day, raw);
        return Base64Url.EncodeToString(raw);
    }

    /// <summary>
    /// The whole Set-Cookie header value for a new or renewed visitor cookie, built as one string: the
    /// attributes were formatted once (by ASP.NET's own cookie header writer, so the header reads exactly
    /// as <c>Response.Cookies.Append</c> would write it; base64url needs no escaping).
    /// </summary>
    public string SetCookieHeader(Guid id, int day, bool secure)
    {
        Span<byte> raw = stackalloc byte[RawLength];
        Sign(id, day, raw);
        var attributes = secure ? _secureAttributes : _plainAttributes;
        var length = Name.Length + 1 + ValueLength + attributes.Length;
        var chars = length <= 1024 ? stackalloc char[length] : new char[length];
        Name.CopyTo(chars);
        chars[Name.Length] = '=';
        Base64Url.EncodeToChars(raw, chars.Slice(Name.Length + 1, ValueLength));
        attributes.CopyTo(chars[(Name.Length + 1 + ValueLength)..]);
        return new string(chars);
    }

    private void Sign(Guid id, int day, Span<byte> raw)
    {
        id.TryWriteBytes(raw);
        BinaryPrimitives.WriteUInt32BigEndian(raw[IdLength..], (uint)day);
        _keys.Sign(SigningPurpose.VisitorCookie, raw[..SignedLength], raw[SignedLength..]);
    }

    /// <summary>
    /// Reads a cookie value; false for anything missing, malformed, forged, expired or from the future.
    /// <paramref name="reissue"/> says the cookie should be set again: issued before today, or signed with an older key.
    /// </summary>
    public bool TryRead(ReadOnlySpan<char> value, int today, out Guid id, out bool reissue)
    {
        id = Guid.Empty;
        reissue = false;
        Span<byte> raw = stackalloc byte[RawLength];
        if (value.Length != ValueLength
            || Base64Url.DecodeFromChars(value, raw, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != ValueLength || written != RawLength)
        {
            return false;
        }
        var key = _keys.Verify(SigningPurpose.VisitorCookie, raw[..SignedLength], raw[SignedLength..]);
        var day = (int)BinaryPrimitives.ReadUInt32BigEndian(raw[IdLength..]);
        if (key < 0 || day > today + 1 || today - day > _lifetimeDays)
        {
            return false;
        }
        id = new Guid(raw[..IdLength]);
        if (id == Guid.Empty)
        {
            return false;
        }
        reissue = key > 0 || day < today;
        return true;
    }

    /// <summary>Adds the visitor cookie to the response: one Set-Cookie string, no cookie builder per beacon.</summary>
    public void Append(HttpResponse response, Guid id, int today)
    {
        var headers = response.Headers;
        headers.SetCookie = StringValues.Concat(headers.SetCookie, SetCookieHeader(id, today, response.HttpContext.Request.IsHttps));
    }

    public void Delete(HttpResponse response) => response.Cookies.Delete(Name, Options(response.HttpContext.Request));

    public void AppendOptOut(HttpResponse response) => response.Cookies.Append(OptOutName, "1", Options(response.HttpContext.Request));

    public void DeleteOptOut(HttpResponse response) => response.Cookies.Delete(OptOutName, Options(response.HttpContext.Request));

    /// <summary>Days since 1970-01-01 (UTC), the cookie's issue-date unit.</summary>
    public static int DayOf(DateTime utc) => (int)(utc.Ticks / TimeSpan.TicksPerDay - DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerDay);

    private CookieOptions Options(HttpRequest request) => request.IsHttps ? _secure : _plain;

    /// <summary>"; max-age=…; path=/; …" as ASP.NET formats it for these options, after name=value.</summary>
    private string AttributesOf(CookieOptions options) => options.CreateCookieHeader(Name, "").ToString()[(Name.Length + 1)..];

    private static CookieOptions CookieOptionsFor(IdentityOptions o, bool secure)
    {
        var crossSite = o.SameSite == SameSiteMode.None;
        var options = new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            Path = "/",
            SameSite = o.SameSite,
            // Browsers drop SameSite=None cookies that are not Secure.
            Secure = secure || crossSite,
            MaxAge = o.Lifetime,
            Domain = string.IsNullOrEmpty(o.Domain) ? null : o.Domain,
        };
        if (crossSite)
        {
            // CHIPS: a cross-site cookie kept per top-level site, so it cannot track across sites.
            options.Extensions.Add("Partitioned");
        }
        return options;
    }
}
