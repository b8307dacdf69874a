using System.Globalization;
using System.Text;
using CsCheck;

namespace Analytics.Host.Tests.Fuzz;

/// <summary>Bearer keys the fuzzed host knows, so generated requests reach past the access checks too.</summary>
public sealed record FuzzKeys(string Api, string Share, string Partner, string Operator);

/// <summary>
/// Generators of malformed and extreme input for every public endpoint: invalid UTF-8, lone surrogates,
/// huge and negative numbers, deep JSON, very long values, wrong content types, and plausible values
/// among them so the checks behind the first ones are reached too.
/// </summary>
public static class FuzzInputs
{
    /// <summary>Raw percent-encoded fragments that are not valid UTF-8 (or not valid escapes at all).</summary>
    private static readonly string[] RawEscapes = ["%C3%28", "%FF", "%ED%A0%80", "%ED%B0%80", "%F4%90%80%80", "%C0%AF", "%E2%82", "%", "%G1", "%00", "%0D%0A", "%25", "%2F..%2F"];

    private static readonly string[] Plausible =
    [
        "demo", "http://localhost/a", "https://www.example.com/x?utm_source=y", "https://evil.example/", "visitors", "pageviews", "page",
        "country", "7d", "30d", "today", "2026-03-10,2026-03-10", "previous_period", "csv", "json", "day", "hour", "visitors:desc",
        """[["is","country",["FR"]]]""", """[["matches","page",["(a"]]]""", "acme", "pages", "2026-03-10", "null", "",
    ];

    private static readonly string[] Extreme =
    [
        "\ud800", "\udc00", "a\udfffb", "\ud83d\ude00", "\u0000", "\r\n", "\t", "\u202e", "\ufeff", "\uffff", "'; DROP TABLE hits; --", "{p0:String}",
        "-1", "0", "-2147483649", "2147483648", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999", "1e309", "-1e309", "NaN",
        "Infinity", "0x7fffffff", "9999-12-31", "0001-01-01", "9999-12-31,9999-12-31", "0001-01-01,0001-01-01", "2026-02-30,2026-03-01",
        "99999999d", "-5d", "0d", "../../etc/passwd", "javascript:alert(1)", "//evil.example", "http://[::1]:99999/", "http://a@b/", "=1+1",
    ];

    /// <summary>A value: plausible, extreme, random text (any UTF-16, lone surrogates included), or very long.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.OneOf(Plausible)),
        (4, Gen.OneOf(Extreme)),
        (3, Gen.Char.Array[0, 40].Select(chars => new string(chars))),
        (1, Gen.Select(Gen.Int[300, 70_000], Gen.Char['a', 'z'], (n, c) => new string(c, n))),
        (1, Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => d.ToString("R", CultureInfo.InvariantCulture))));

    /// <summary>A query-string or path value as sent: our encoding of a text, or raw escapes that are not UTF-8.</summary>
    public static readonly Gen<string> Encoded = Gen.Frequency(
        (5, Text.Select(FuzzRequest.Encode)),
        (2, Gen.Select(Gen.OneOf(RawEscapes), Text, (raw, text) => FuzzRequest.Encode(text.Length > 20 ? text[..20] : text) + raw)));

    /// <summary>A value safe for an HTTP header (ASCII), from the same pool.</summary>
    public static readonly Gen<string> HeaderText = Text.Select(t => new string([.. t.Take(2000).Select(c => c is >= ' ' and < '\u007f' ? c : '?')]));

    /// <summary>Mostly the types the endpoints read, so most bodies get past the type check.</summary>
    private static readonly Gen<string?> ContentType = Gen.Frequency(
        (6, Gen.OneOf<string?>("application/json", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded")),
        (1, Gen.OneOf<string?>(null, "text/plain; charset=utf-16", "multipart/form-data; boundary=x", "application/xml", "a/b/c", "application/json; charset=latin1", "")));

    /// <summary>A JSON string literal of a text, with lone surrogates written as \u escapes (valid JSON, no valid string).</summary>
    private static string JsonString(string text)
    {
        var json = new StringBuilder("\"");
        foreach (var c in text)
        {
            json.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when c < ' ' || char.IsSurrogate(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return json.Append('"').ToString();
    }

    private static readonly Gen<string> JsonValue = Gen.Frequency(
        (4, Text.Select(JsonString)),
        (1, Gen.OneOf("99999999999999999999999999999", "-1", "1e309", "-0", "1.5", "true", "null", "[]", "{}", "[1,2,3]")),
        (1, Gen.Int[1, 100_000].Select(n => new string('[', n) + new string(']', n))),
        (1, Gen.Int[1, 5_000].Select(n => string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n))));

    private static readonly string[] Fields = ["site", "url", "ref", "t", "w", "e", "l", "p", "site_id", "metrics", "dimensions", "date_range", "filters", "order_by", "pagination", "include", "compare", "campaign", "to", "window"];

    /// <summary>A JSON object with some known and some odd fields.</summary>
    /// <summary>A JSON object with some known and some odd fields, half the time after a valid start (so deeper checks are reached).</summary>
    private static readonly Gen<string> JsonObject = Gen.Select(Gen.OneOf(Fields).Array[0, 8], JsonValue.Array[8], Gen.Bool, Gen.Frequency((9, Gen.Const(true)), (1, Gen.Const(false))),
        (names, values, validStart, wellFormed) =>
            "{" + (validStart ? ValidStart : "") + string.Join(',', names.Select((n, i) => JsonString(n) + ":" + values[i])).TrimStart(',') + (wellFormed ? "}" : ""));

    private const string ValidStart = "\"site\":\"demo\",\"url\":\"http://localhost/a\",\"site_id\":\"demo\",\"metrics\":[\"visitors\"],\"campaign\":\"c\",\"to\":\"https://www.example.com/\",";

    private static readonly string[] BeaconFields = ["site", "url", "ref", "t", "w", "e", "l"];

    /// <summary>One hit as POST /e reads it: a valid start, then beacon fields with generated (flat) values and properties.</summary>
    private static readonly Gen<string> BeaconHit = Gen.Select(Gen.Bool, Gen.OneOf(BeaconFields).Array[0, 4], Text.Array[4], Text.Array[0, 3],
        (validStart, names, values, props) =>
            "{" + string.Join(',', (validStart ? new[] { "\"site\":\"demo\"", "\"url\":\"http://localhost/a\"" } : [])
                .Concat(names.Select((n, i) => JsonString(n) + ":" + JsonString(values[i])))
                .Append("\"p\":{" + string.Join(',', props.Select((v, i) => JsonString(i == 0 ? v : "k" + i) + ":" + JsonString(v))) + "}")) + "}");

    /// <summary>A body POST /e reads past its first checks: one hit or a batch of up to 20, so each hit's own checks are reached.</summary>
    public static readonly Gen<byte[]> BeaconBody = Gen.Frequency(
        (1, BeaconHit),
        (2, BeaconHit.Array[1, 20].Select(hits => "[" + string.Join(',', hits) + "]"))).Select(Encoding.UTF8.GetBytes);

    private static readonly string[] RangeTexts =
        ["7d", "9999-12-31,9999-12-31", "0001-01-01,0001-01-02", "99999999d", "2199-12-01,2199-12-31", "1970-01-01,1970-01-31", "2026-03-10,2026-03-09", "x,y", ","];

    private static readonly Gen<string> DateRangeJson = Gen.OneOf(
        "\"7d\"", "\"30d\"", "\"today\"", "\"12mo\"", "\"99999999d\"", "\"-1d\"", "\"0d\"", "\"9999-12-31,9999-12-31\"", "[\"9999-12-31\",\"9999-12-31\"]",
        "[\"0001-01-01\",\"0001-01-02\"]", "[\"2026-03-10\",\"2026-03-09\"]", "[\"2026-02-30\",\"2026-03-01\"]", "[\"1970-01-01\",\"1970-01-01\"]",
        "[\"2199-12-31\",\"2199-12-31\"]", "[1,2]", "{}", "null");

    /// <summary>A query body in the API's shape, with generated values where the parser looks.</summary>
    public static readonly Gen<byte[]> QueryBody = Gen.Select(
        DateRangeJson,
        Gen.OneOf("visitors", "pageviews", "visits", "bounce_rate", "bot_hits", "events").Array[1, 3],
        Gen.OneOf("page", "country", "source", "entry_page", "time:day", "time:hour", "event_name").Array[0, 2],
        Gen.Select(Gen.OneOf("is", "is_not", "contains", "matches", "contains_not"), Gen.OneOf("page", "country", "entry_page", "utm_campaign"), Text.Array[1, 3],
            (op, dimension, values) => "[" + JsonString(op) + "," + JsonString(dimension) + ",[" + string.Join(',', values.Select(JsonString)) + "]]").Array[0, 3],
        Gen.OneOf("none", "previous_period", "year_over_year"),
        Gen.Select(Gen.Long, Gen.Long, (limit, offset) => $"{{\"limit\":{limit % 2000},\"offset\":{offset}}}"),
        (range, metrics, dimensions, filters, compare, pagination) =>
            $"{{\"site_id\":\"demo\",\"date_range\":{range},\"metrics\":[{string.Join(',', metrics.Select(JsonString))}],\"dimensions\":[{string.Join(',', dimensions.Select(JsonString))}]," +
            $"\"filters\":[{string.Join(',', filters)}],\"include\":{{\"comparisons\":{{\"mode\":{JsonString(compare)}}}}},\"pagination\":{pagination}}}")
        .Select(Encoding.UTF8.GetBytes);

    /// <summary>A request body: JSON (an object, an array of them, or odd), invalid UTF-8, random bytes, or nothing.</summary>
    public static readonly Gen<byte[]> Body = Gen.Frequency(
        (4, JsonObject.Select(Encoding.UTF8.GetBytes)),
        (3, JsonObject.Array[0, 25].Select(items => Encoding.UTF8.GetBytes("[" + string.Join(',', items) + "]"))),
        (1, JsonValue.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Select(JsonObject, Gen.Byte[0x80, 0xFF], (json, bad) => Encoding.UTF8.GetBytes(json).Append(bad).Append((byte)'"').ToArray())),
        (1, Gen.Byte.Array[0, 3000]),
        (1, Gen.Int[16_000, 70_000].Select(n => Encoding.UTF8.GetBytes("{\"site\":\"demo\",\"t\":\"" + new string('x', n) + "\"}"))),
        (1, Gen.Const(Array.Empty<byte>())));

    private static Gen<(string Name, string Value)[]> Headers(FuzzKeys keys) => Gen.Select(
        // Mostly keys that pass, so the checks behind the access gate are reached.
        Gen.Frequency(
            (4, Gen.Const<string?>("Bearer " + keys.Api)),
            (3, Gen.OneOf<string?>("Bearer " + keys.Share, "Bearer " + keys.Partner, "Bearer " + keys.Operator)),
            (2, Gen.OneOf<string?>(null, "Bearer ", "Basic Zm9vOmJhcg==", "bearer " + keys.Api, "Bearer " + keys.Api + "x"))),
        Gen.OneOf<string?>(null, "https://evil.example", "null", "http://localhost"),
        Gen.OneOf<string?>(null, "same-origin", "cross-site", "none", "same-site"),
        Gen.OneOf<string?>(null, "http://localhost/", "https://evil.example/"),
        HeaderText,
        Gen.Bool,
        (auth, origin, fetchSite, referer, odd, cookie) =>
        {
            var headers = new List<(string, string)>();
            void Add(string name, string? value)
            {
                if (value is not null)
                {
                    headers.Add((name, value));
                }
            }
            Add("Authorization", auth);
            Add("Origin", origin);
            Add("Sec-Fetch-Site", fetchSite);
            Add("Referer", referer);
            Add("Cookie", cookie ? "_vid=" + odd + "; _csrf=" + odd + "; _optout=" + odd : null);
            return headers.ToArray();
        });

    /// <summary>A query string of some of <paramref name="names"/> (and an odd one), each with an encoded value.</summary>
    private static Gen<string> Query(params string[] names) =>
        Gen.Select(Gen.OneOf(names).Array[0, names.Length + 1], Encoded.Array[names.Length + 2], Encoded,
            (picked, values, odd) => "?" + string.Join('&', picked.Select((n, i) => n + "=" + values[i]).Append(odd + "=" + values[^1])));

    /// <summary>As <see cref="Query"/>, half the time after valid values (the first of a repeated name is the one read).</summary>
    private static Gen<string> QueryAfter(string valid, params string[] names) =>
        Gen.Select(Gen.Bool, Query(names), (start, query) => start ? "?" + valid + "&" + query[1..] : query);

    /// <summary>Every public endpoint, with generated path segments, query, headers and body.</summary>
    public static Gen<FuzzRequest> Requests(FuzzKeys keys)
    {
        var headers = Headers(keys);
        Gen<FuzzRequest> Get(FuzzTarget target, string method, Gen<string> path) =>
            Gen.Select(path, headers, (p, h) => new FuzzRequest(target, method, p, h, null, null));
        Gen<FuzzRequest> Post(FuzzTarget target, Gen<string> path, Gen<byte[]>? body = null) =>
            Gen.Select(path, headers, body ?? Body, ContentType, (p, h, b, t) => new FuzzRequest(target, "POST", p, h, b, t));
        var beaconQuery = QueryAfter("site=demo&url=http%3A%2F%2Flocalhost%2Fa", "site", "url", "ref", "t", "w", "e", "l", "p.plan", "p.x");
        var statsQuery = QueryAfter("site_id=demo", "site_id", "metrics", "date_range", "filters", "compare", "limit", "offset", "format", "interval", "dimension", "order_by");
        var segment = Encoded.Select(s => s.Length == 0 ? "x" : s);
        return Gen.OneOf(
            Get(FuzzTarget.Gif, "GET", beaconQuery.Select(q => "/i.gif" + q)),
            Get(FuzzTarget.Gif, "HEAD", beaconQuery.Select(q => "/i.gif" + q)),
            Post(FuzzTarget.Events, Query("x").Select(q => "/e" + q)),
            Post(FuzzTarget.Events, Gen.Const("/e"), BeaconBody),
            Post(FuzzTarget.Other, Gen.Const("/api/v2/query"), QueryBody),
            Get(FuzzTarget.Other, "GET", Gen.Select(Gen.OneOf("aggregate", "timeseries", "breakdown"), Gen.OneOf(RangeTexts), Gen.OneOf("", "previous_period", "year_over_year"),
                (e, range, compare) => $"/api/v2/{e}?site_id=demo&date_range={FuzzRequest.Encode(range)}&compare={compare}")),
            Get(FuzzTarget.Other, "GET", Gen.Select(segment, segment, Query("to", "sig"), (s, c, q) => $"/r/{s}/{c}{q}")),
            Get(FuzzTarget.Other, "GET", Gen.OneOf("/me", "/me/data", "/optout", "/optin", "/a.js", "/demo", "/metrics")),
            Post(FuzzTarget.Other, Gen.OneOf("/me/erase", "/optout", "/optin")),
            Post(FuzzTarget.Other, Query("format").Select(q => "/api/v2/query" + q)),
            Get(FuzzTarget.Other, "GET", Gen.Select(Gen.OneOf("aggregate", "timeseries", "breakdown", "realtime"), statsQuery, (e, q) => $"/api/v2/{e}{q}")),
            Post(FuzzTarget.Other, Gen.Const("/api/v2/links")),
            Get(FuzzTarget.Other, "GET", QueryAfter("site=demo", "site").Select(q => "/api/stats/daily" + q)),
            Get(FuzzTarget.Other, "GET", Gen.Select(segment, segment, segment, Gen.Bool, (p, r, w, list) => list ? $"/api/partners/{p}/reports" : $"/api/partners/{p}/reports/{r}/{w}")),
            Get(FuzzTarget.Other, "GET", Gen.Select(Gen.OneOf("audit", "status"), Query("partner", "limit"), (e, q) => $"/api/partners-admin/{e}{q}")),
            Post(FuzzTarget.Other, Gen.Const("/api/partners-admin/reruns")),
            Get(FuzzTarget.Other, "GET", Gen.Select(Gen.OneOf("share", "dashboard", "dashboard/assets"), segment, Query("auth"), (p, s, q) => $"/{p}/{s}{q}")));
    }
}
