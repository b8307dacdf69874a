using System.Net;
using System.Text.Json;

namespace Analytics.Analysts.Tests.Api;

/// <summary>Names outside the allow-lists, values over the limits and injection attempts: a clear 400, never SQL.</summary>
[TestFixture]
public sealed class LimitsTests
{
    private StatsHost _host = null!;
    private string _key = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await StatsHost.StartAsync("--Analysts:MaxRangeDays=400", "--Analysts:MaxRows=500");
        await _host.SeedAsync(Fixtures.Hits("demo"));
        _key = _host.NewKey("demo");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private static IEnumerable<TestCaseData> BadQueries()
    {
        yield return new TestCaseData("""{"site_id":"demo","metrics":["count() FROM system.tables --"]}""", "Unknown metric").SetName("An unknown metric is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"dimensions":["path); DROP TABLE hits; --"]}""", "Unknown dimension").SetName("A dimension that is SQL is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"filters":[["is","1=1) OR (1",["x"]]]}""", "Unknown filter dimension").SetName("A filter dimension that is SQL is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"filters":[["is; DROP","page",["x"]]]}""", "Unknown filter operator").SetName("A filter operator that is SQL is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"dimensions":["page"],"order_by":[["visitors; DROP TABLE hits","desc"]]}""", "order_by").SetName("An order that is SQL is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"dimensions":["page"],"order_by":[["visitors","desc; DROP"]]}""", "direction").SetName("An order direction that is SQL is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"dimensions":["page","country","browser","os"]}""", "At most 3 dimensions").SetName("Too many dimensions are refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"date_range":["2020-01-01","2026-01-01"]}""", "at most 400").SetName("Too long a range is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"date_range":"999999d"}""", "at most 400").SetName("Too many days back are refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"date_range":["2026-03-10","2026-03-01"]}""", "ends before").SetName("A backwards range is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"date_range":"2026-03-10'); DROP"}""", "Unknown date_range").SetName("A date range that is SQL is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"pagination":{"limit":100000}}""", "limit must be between 1 and 500").SetName("Too many rows are refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"filters":[["matches","page",["(a)\\1"]]]}""", "not a supported regular expression").SetName("A backreference regex is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"filters":[["matches","page",["(?=x)"]]]}""", "not a supported regular expression").SetName("A lookahead regex is refused");
        yield return new TestCaseData("{\"site_id\":\"demo\",\"metrics\":[\"visitors\"],\"filters\":[[\"matches\",\"page\",[\"" + new string('a', 201) + "\"]]]}", "at most 200 characters").SetName("Too long a regex is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"dimensions":["time:day","time:hour"]}""", "one time dimension").SetName("Two time dimensions are refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["bot_hits","bounce_rate"]}""", "bot_hits").SetName("Bot hits with visit metrics are refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["bot_hits","visitors"],"filters":[["is","entry_page",["/"]]]}""", "visit dimension").SetName("Bot hits filtered by a visit dimension are refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["bot_hits"],"dimensions":["source"]}""", "visit dimension").SetName("Bot hits broken down by a visit dimension are refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":[]}""", "At least one metric").SetName("No metric is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"include":{"comparisons":{"mode":"sideways"}}}""", "Comparison mode").SetName("An unknown comparison is refused");
        yield return new TestCaseData("{\"site_id\":\"demo\",\"metrics\":[\"visitors\"", "not valid JSON").SetName("Broken JSON is refused");
    }

    [TestCaseSource(nameof(BadQueries))]
    public async Task Bad_query_gets_a_clear_400(string body, string message)
    {
        using var response = await _host.PostQueryAsync(_key, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), Does.Contain(message));
    }

    [Test]
    public async Task Too_many_filter_conditions_are_refused()
    {
        var filters = Enumerable.Range(0, 21).Select(i => new object[] { "is", "page", new[] { "/" + i } }).ToArray();

        using var response = await _host.PostQueryAsync(_key, new { site_id = "demo", metrics = new[] { "visitors" }, filters });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [TestCase("'; DROP TABLE analytics.hits; --")]
    [TestCase("\\' OR 1=1 --")]
    [TestCase("{p0:String}")]
    [TestCase("x\tq\nz\\")]
    public async Task Injection_in_filter_values_is_only_data(string value)
    {
        foreach (var op in new[] { "is", "is_not", "contains", "matches" })
        {
            var pattern = op == "matches" ? System.Text.RegularExpressions.Regex.Escape(value) : value;
            using var response = await _host.PostQueryAsync(_key, new { site_id = "demo", date_range = new[] { "2026-03-10", "2026-03-10" }, metrics = new[] { "pageviews" }, filters = new object[] { new object[] { op, "page", new[] { pattern } } } });
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{op}: {text}");
            var pageviews = JsonDocument.Parse(text).RootElement.GetProperty("results")[0].GetProperty("metrics")[0].GetInt32();
            Assert.That(pageviews, Is.EqualTo(op == "is_not" ? 8 : 0), op);
        }

        var total = await _host.QueryAsync(_key, new { site_id = "demo", date_range = new[] { "2026-03-10", "2026-03-10" }, metrics = new[] { "pageviews" } });
        Assert.That(total.GetProperty("results")[0].GetProperty("metrics")[0].GetInt32(), Is.EqualTo(8), "the hits table is intact");
    }

    [Test]
    public async Task Injection_in_the_site_id_reads_nothing()
    {
        var key = _host.NewKey("*");

        var answer = await _host.QueryAsync(key, new { site_id = "demo' OR '1'='1", date_range = new[] { "2026-03-10", "2026-03-10" }, metrics = new[] { "pageviews" } });

        Assert.That(answer.GetProperty("results")[0].GetProperty("metrics")[0].GetInt32(), Is.Zero);
    }
}
