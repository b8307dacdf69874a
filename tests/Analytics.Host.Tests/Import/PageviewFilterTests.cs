using System.Net;
using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

public class PageviewFilterTests
{
    private static LogEntry Entry(string method, string target, int status) =>
        new(IPAddress.Loopback, DateTimeOffset.UtcNow, method, target, status, "", "ua");

    [TestCase("/")]
    [TestCase("/blog/post")]
    [TestCase("/about.html")]
    [TestCase("/index.php?id=1")]
    [TestCase("/v1.2/notes")]
    public void Html_looking_get_answered_2xx_or_3xx_is_a_pageview(string path)
    {
        Assert.That(PageviewFilter.Check(Entry("GET", path, 200)), Is.Null);
        Assert.That(PageviewFilter.Check(Entry("GET", path, 304)), Is.Null);
    }

    [TestCase("GET", "/site.css", 200, SkipReason.Asset)]
    [TestCase("GET", "/app.js?v=2", 200, SkipReason.Asset)]
    [TestCase("GET", "/favicon.ico", 200, SkipReason.Asset)]
    [TestCase("GET", "/robots.txt", 200, SkipReason.Asset)]
    [TestCase("POST", "/contact", 200, SkipReason.NotGet)]
    [TestCase("HEAD", "/", 200, SkipReason.NotGet)]
    [TestCase("GET", "/missing", 404, SkipReason.Status)]
    [TestCase("GET", "/", 500, SkipReason.Status)]
    [TestCase("GET", "/api/search?q=x", 200, SkipReason.MachinePath)]
    [TestCase("GET", "/.well-known/security.txt", 200, SkipReason.MachinePath)]
    public void Everything_else_is_skipped_with_its_reason(string method, string path, int status, SkipReason reason)
    {
        Assert.That(PageviewFilter.Check(Entry(method, path, status)), Is.EqualTo(reason));
    }
}
