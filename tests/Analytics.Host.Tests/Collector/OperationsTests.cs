using System.Net;

namespace Analytics.Host.Tests.Collector;

public class OperationsTests
{
    [Test]
    public async Task Metrics_show_accepted_hits_rejections_by_reason_latency_and_the_spool_backlog()
    {
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser();
        using var good = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F");
        using var foreign = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Fevil.example%2F");

        var metrics = await browser.GetStringAsync("/metrics");

        Assert.That(metrics, Does.Contain("analytics_hits_accepted_total 1"));
        Assert.That(metrics, Does.Contain("analytics_hits_rejected_total{reason=\"ForeignHost\"} 1"));
        Assert.That(metrics, Does.Contain("analytics_hits_rejected_total{reason=\"RateLimited\"} 0"));
        Assert.That(metrics, Does.Contain("analytics_beacon_duration_seconds_count 1"));
        Assert.That(metrics, Does.Match(@"analytics_spool_pending_bytes \d+"));
    }

    [Test]
    public async Task Metrics_in_the_OpenMetrics_format_carry_no_exemplars()
    {
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser();
        using var good = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");

        using var response = await browser.SendAsync(request);
        var metrics = await response.Content.ReadAsStringAsync();

        Assert.That(metrics, Does.Match(@"analytics_hits_accepted_total 1"));
        Assert.That(metrics, Does.Not.Contain("trace_id"));
    }

    [Test]
    public async Task Health_and_readiness_answer_ok_when_the_queue_takes_hits()
    {
        await using var host = await RunningHost.StartAsync();
        using var client = host.NewBrowser();

        using var health = await client.GetAsync("/healthz");
        using var ready = await client.GetAsync("/readyz");

        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Oversized_request_lines_and_headers_are_refused_by_the_server_not_the_application()
    {
        await using var host = await RunningHost.StartAsync();
        using var client = host.NewBrowser();
        using var longHeader = new HttpRequestMessage(HttpMethod.Get, "/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F");
        longHeader.Headers.Add("X-Padding", new string('a', 20_000));

        using var line = await client.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F" + new string('a', 9000));
        using var header = await client.SendAsync(longHeader);

        Assert.That(line.StatusCode, Is.EqualTo(HttpStatusCode.RequestUriTooLong));
        Assert.That(header.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));
    }
}
