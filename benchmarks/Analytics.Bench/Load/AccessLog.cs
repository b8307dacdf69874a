using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Analytics.Bench.Load;

/// <summary>
/// A generated but realistic access log (nginx/Apache combined format): browsers coming back over a few
/// days from several time zones, pages mixed with assets, POSTs, errors, redirects and a few broken
/// lines, plus the expected stats counted independently of the importer's code. The import tests use it,
/// and `analytics-bench access-log` writes one for timing `analytics import` against other log analyzers.
/// </summary>
public sealed class AccessLog
{
    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
    ];

    private static readonly string[] Pages = ["/", "/about.html", "/blog/", "/blog/privacy-first", "/blog/cookies?utm_source=newsletter", "/index.php?id=3", "/docs/install", "/contact.htm"];
    private static readonly string[] Assets = ["/css/site.css", "/js/app.js?v=3", "/img/logo.png", "/favicon.ico", "/robots.txt", "/feed.xml", "/fonts/inter.woff2"];
    private static readonly string[] Machine = ["/api/search?q=x", "/.well-known/security.txt", "/wp-admin/"];
    private static readonly string[] Zones = ["+0000", "+0200", "-0500", "+0530"];

    private AccessLog(List<string> lines, Dictionary<DateOnly, (long Pageviews, HashSet<string> Visitors)> expected, int badLines)
    {
        Lines = lines;
        Expected = expected;
        BadLines = badLines;
    }

    public List<string> Lines { get; }

    /// <summary>Per UTC day: pageviews, and the distinct (IP, user-agent) pairs that viewed pages.</summary>
    public Dictionary<DateOnly, (long Pageviews, HashSet<string> Visitors)> Expected { get; }

    public int BadLines { get; }

    public long ExpectedPageviews => Expected.Values.Sum(v => v.Pageviews);

    /// <summary>Each day's pageviews and distinct visitors (IP and user-agent), oldest day first, as the daily stats list them.</summary>
    public IEnumerable<(long Pageviews, long Visitors)> ExpectedByDay => Expected.OrderBy(e => e.Key).Select(e => (e.Value.Pageviews, (long)e.Value.Visitors.Count));

    /// <param name="seed">Seed of every random choice (log it).</param>
    /// <param name="clients">Browsers (IP + user-agent).</param>
    /// <param name="requestsPerClient">Requests each makes over three days.</param>
    /// <param name="start">First day of the log (UTC); default four days ago.</param>
    public static AccessLog Generate(int seed, int clients, int requestsPerClient, DateTime? start = null)
    {
        var random = new Random(seed);
        var first = start ?? DateTime.UtcNow.Date.AddDays(-4);
        var entries = new List<(DateTime Utc, string Line)>();
        var expected = new Dictionary<DateOnly, (long Pageviews, HashSet<string> Visitors)>();
        for (var c = 0; c < clients; c++)
        {
            // Documentation addresses for the first clients; past 254 the benchmarking range 198.18.0.0/15.
            var ip = c % 5 == 0 ? $"2001:db8::{c:x}" : c < 255 ? $"203.0.{113 + (c % 3)}.{c + 1}" : $"198.{18 + ((c >> 16) & 1)}.{(c >> 8) & 255}.{c & 255}";
            var agent = UserAgents[random.Next(UserAgents.Length)];
            var zone = Zones[random.Next(Zones.Length)];
            for (var r = 0; r < requestsPerClient; r++)
            {
                var utc = first.AddSeconds(random.Next(3 * 86400));
                var roll = random.Next(100);
                var (method, target, status) = roll switch
                {
                    < 55 => ("GET", Pages[random.Next(Pages.Length)], random.Next(10) switch { 0 => 304, 1 => 301, _ => 200 }),
                    < 85 => ("GET", Assets[random.Next(Assets.Length)], 200),
                    < 90 => ("POST", "/contact.htm", 200),
                    < 94 => ("GET", "/missing-page", 404),
                    < 96 => ("HEAD", "/", 200),
                    < 98 => ("GET", Machine[random.Next(Machine.Length)], 200),
                    _ => ("GET", "/", 500),
                };
                var referrer = random.Next(3) == 0 ? "https://www.google.com/" : random.Next(2) == 0 ? "-" : "https://localhost/blog/";
                entries.Add((utc, Format(ip, utc, zone, method, target, status, referrer, agent)));
                var isPageview = method == "GET" && status < 400 && Pages.Contains(target);
                if (isPageview)
                {
                    var day = DateOnly.FromDateTime(utc);
                    if (!expected.TryGetValue(day, out var counts))
                    {
                        counts = (0, []);
                    }
                    counts.Visitors.Add(ip + "\n" + agent);
                    expected[day] = (counts.Pageviews + 1, counts.Visitors);
                }
            }
        }
        var lines = entries.OrderBy(e => e.Utc).Select(e => e.Line).ToList();
        string[] broken =
        [
            "this is not a log line",
            "203.0.113.9 - - [32/Foo/2026:99:99:99 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"x\"",
            "203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] \"GET / HTTP/1.1\" 2xx 12 \"-\" \"x\"",
            "203.0.113.999 - - [10/Oct/2026:13:55:36 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"x\"",
            "203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] \"GET / HTTP/1.1",
        ];
        foreach (var line in broken)
        {
            lines.Insert(random.Next(lines.Count), line);
        }
        return new AccessLog(lines, expected, broken.Length);
    }

    /// <summary>Writes the lines (gzip when the name ends in .gz), one at a time: a million-line log never sits in memory twice.</summary>
    public async Task<string> WriteAsync(string path)
    {
        await using var file = File.Create(path);
        await using var gzip = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionLevel.Fastest) : null;
        await using var writer = new StreamWriter((Stream?)gzip ?? file, new UTF8Encoding(false), 1 << 16);
        foreach (var line in Lines)
        {
            await writer.WriteAsync(line);
            await writer.WriteAsync('\n');
        }
        return path;
    }

    private static string Format(string ip, DateTime utc, string zone, string method, string target, int status, string referrer, string agent)
    {
        var offset = new TimeSpan(int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[3..5], CultureInfo.InvariantCulture), 0) * (zone[0] == '-' ? -1 : 1);
        var local = utc + offset;
        return $"{ip} - - [{local.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture)} {zone}] \"{method} {target} HTTP/1.1\" {status} {(status == 304 ? "-" : "5120")} \"{referrer}\" \"{agent}\"";
    }
}
