using System.Net;
using System.Text;
using System.Text.Json;

namespace Analytics.Analysts.Tests.Privacy;

/// <summary>Issue 15, finding 7: input that used to escape as a 500 gets a clear 400 that names the problem.</summary>
[TestFixture]
public sealed class MalformedQueryTests
{
    private StatsHost _host = null!;
    private string _key = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // The longest range an operator may allow (100 years) reaches back past the earliest day a range may name.
        _host = await StatsHost.StartAsync("--Analysts:MaxRangeDays=36600");
        _key = _host.NewKey("demo");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private static IEnumerable<TestCaseData> Bodies()
    {
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"date_range":["9999-12-31","9999-12-31"]}""", "must lie between").SetName("A date range in the year 9999 is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"date_range":["0001-01-01","0001-01-02"],"include":{"comparisons":{"mode":"previous_period"}}}""", "must lie between").SetName("A date range at the year 1 compared with the period before is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"date_range":"9999-12-31,9999-12-31"}""", "must lie between").SetName("A date range string in the year 9999 is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"date_range":"36600d"}""", "must lie between").SetName("A named range reaching before 1970 is refused");
        yield return new TestCaseData("""{"site_id":"\udc00","metrics":["visitors"]}""", "not valid Unicode").SetName("A lone surrogate in the site is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"filters":[["is","page",["\ud800"]]]}""", "not valid Unicode").SetName("A lone surrogate in a filter value is refused");
        yield return new TestCaseData("""{"site_id":"demo","metrics":["visitors"],"\udc00":1}""", "not valid Unicode").SetName("A lone surrogate in a property name is refused");
    }

    [TestCaseSource(nameof(Bodies))]
    public async Task A_malformed_body_gets_a_clear_400(string body, string message)
    {
        using var response = await _host.PostQueryAsync(_key, body);

        await AssertProblem(response, message);
    }

    [Test]
    public async Task A_body_that_is_not_utf8_gets_a_clear_400()
    {
        using var client = _host.Client(_key);
        var bytes = Encoding.UTF8.GetBytes("""{"site_id":"demo","metrics":["visitors"],"filters":[["is","page",["/X"]]]}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xC3; // a lead byte followed by '"': not UTF-8
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync("/api/v2/query", content);

        await AssertProblem(response, "not valid UTF-8");
    }

    [TestCase("/api/v2/aggregate?site_id=demo&date_range=9999-12-31,9999-12-31", "must lie between")]
    [TestCase("/api/v2/timeseries?site_id=demo&date_range=9999-12-01,9999-12-31&compare=previous_period", "must lie between")]
    [TestCase("/api/v2/breakdown?site_id=demo&dimension=page&filters=%5B%5B%22is%22%2C%22page%22%2C%5B%22%5Cudc00%22%5D%5D%5D", "filters must be")]
    public async Task A_malformed_get_shortcut_gets_a_clear_400(string path, string message)
    {
        using var client = _host.Client(_key);

        using var response = await client.GetAsync(path);

        await AssertProblem(response, message);
    }

    private static async Task AssertProblem(HttpResponseMessage response, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), Does.Contain(message));
    }
}
