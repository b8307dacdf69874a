using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Analytics.Analysts.Tests.Insights;

/// <summary>
/// Goals, conversions, funnels, segments and custom properties through the API, against random traffic
/// whose true answers <see cref="InsightsTraffic"/> computes by walking the hits in C#.
/// </summary>
[TestFixture]
public sealed class InsightsApiTests
{
    private const string Site = "insights-api";
    private static readonly string[] Day = ["2026-03-10", "2026-03-10"];
    private StatsHost _host = null!;
    private InsightsTraffic _traffic = null!;
    private string _admin = null!;
    private string _reader = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var seed = Environment.GetEnvironmentVariable("INSIGHTS_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        TestContext.Progress.WriteLine($"InsightsApiTests seed {seed} (INSIGHTS_SEED={seed} repeats it)");
        _host = await StatsHost.StartAsync();
        _traffic = InsightsTraffic.Generate(Site, seed);
        await _host.SeedAsync(_traffic.Hits);
        _admin = _host.Keys.Create([Site], "admin", Analysts.Access.ApiKeyKinds.Admin).Secret;
        _reader = _host.NewKey(Site);
        using var client = _host.Client(_admin);
        using var goal = await client.PostAsJsonAsync("/api/v2/goals", new { site_id = Site, name = "Done", path = "/done" });
        Assert.That(goal.StatusCode, Is.EqualTo(HttpStatusCode.Created), await goal.Content.ReadAsStringAsync());
        using var pro = await client.PostAsJsonAsync("/api/v2/goals", new { site_id = Site, name = "Pro signup", @event = "Signup", property_name = "plan", property_value = "pro" });
        Assert.That(pro.StatusCode, Is.EqualTo(HttpStatusCode.Created), await pro.Content.ReadAsStringAsync());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private static double[] Metrics(JsonElement row) => row.GetProperty("metrics").EnumerateArray().Select(m => m.GetDouble()).ToArray();

    [Test]
    public async Task A_custom_property_is_a_dimension_and_a_filter()
    {
        var byPlan = await _host.QueryAsync(_reader, new { site_id = Site, date_range = Day, metrics = new[] { "visitors", "events" }, dimensions = new[] { "event:props:plan" }, filters = new[] { new object[] { "is_not", "event:props:plan", new[] { "" } } } });
        var rows = byPlan.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("dimensions")[0].GetString()!, Metrics);
        foreach (var plan in new[] { "pro", "free" })
        {
            var carrying = (Func<Pipeline.Hits.Hit, bool>)(h => h.Props.TryGetValue("plan", out var v) && v == plan);
            Assert.That(rows[plan][0], Is.EqualTo(_traffic.Visitors(carrying)), plan);
            Assert.That(rows[plan][1], Is.EqualTo(_traffic.Hits.Count(carrying)), plan);
        }
        var filtered = await _host.QueryAsync(_reader, new { site_id = Site, date_range = Day, metrics = new[] { "visitors" }, filters = new[] { new object[] { "is", "props:plan", new[] { "pro" } } } });
        Assert.That(Metrics(filtered.GetProperty("results")[0])[0], Is.EqualTo(_traffic.Visitors(h => h.Props.TryGetValue("plan", out var v) && v == "pro")));
    }

    [Test]
    public async Task A_goal_gives_conversions_and_conversion_rate_in_total_by_source_and_per_goal()
    {
        var total = _traffic.Visitors(_ => true);
        var done = _traffic.Visitors(h => h.Kind == Pipeline.Hits.HitKind.Pageview && h.Path == "/done");
        var pro = _traffic.Visitors(h => h.EventName == "Signup" && h.Props.TryGetValue("plan", out var v) && v == "pro");

        var perGoal = await _host.QueryAsync(_reader, new { site_id = Site, date_range = Day, metrics = new[] { "conversions", "conversion_rate" }, dimensions = new[] { "goal" } });
        var rows = perGoal.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("dimensions")[0].GetString()!, Metrics);
        Assert.That(rows["Done"], Is.EqualTo(new[] { done, Math.Round(100.0 * done / total, 1) }));
        Assert.That(rows["Pro signup"], Is.EqualTo(new[] { pro, Math.Round(100.0 * pro / total, 1) }));

        // Every visit's source is its first hit's, and each visitor's first hit of a visit carries the visitor's source choice.
        var bySource = await _host.QueryAsync(_reader, new { site_id = Site, date_range = Day, metrics = new[] { "conversions" }, dimensions = new[] { "country" }, filters = new[] { new object[] { "is", "goal", new[] { "Done" } } } });
        foreach (var row in bySource.GetProperty("results").EnumerateArray())
        {
            var country = row.GetProperty("dimensions")[0].GetString();
            Assert.That(Metrics(row)[0], Is.EqualTo(_traffic.Visitors(h => h.Country == country && h.Kind == Pipeline.Hits.HitKind.Pageview && h.Path == "/done")), country);
        }
        Assert.That(bySource.GetProperty("results").GetArrayLength(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Property_names_and_goal_patterns_that_look_like_sql_are_only_data()
    {
        using var admin = _host.Client(_admin);
        using var goal = await admin.PostAsJsonAsync("/api/v2/goals", new { site_id = Site, name = Fixtures.NastyPath, path = Fixtures.NastyPath + "*" });
        Assert.That(goal.StatusCode, Is.EqualTo(HttpStatusCode.Created), await goal.Content.ReadAsStringAsync());

        var byProperty = await _host.QueryAsync(_reader, new { site_id = Site, date_range = Day, metrics = new[] { "pageviews" }, dimensions = new[] { "event:props:" + Fixtures.NastyPath } });
        var converted = await _host.QueryAsync(_reader, new { site_id = Site, date_range = Day, metrics = new[] { "conversions" }, filters = new[] { new object[] { "is", "goal", new[] { Fixtures.NastyPath } } } });

        Assert.That(byProperty.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("dimensions")[0].GetString()), Is.EqualTo(new[] { "" }), "no hit has that property");
        Assert.That(Metrics(converted.GetProperty("results")[0])[0], Is.Zero, "no page matches that pattern");
        using var remove = await admin.DeleteAsync($"/api/v2/goals/{Uri.EscapeDataString(Fixtures.NastyPath)}?site_id={Site}");
        Assert.That(remove.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    [Test]
    public async Task Conversions_without_a_goal_are_a_clear_bad_request()
    {
        using var response = await _host.PostQueryAsync(_reader, new { site_id = Site, date_range = Day, metrics = new[] { "conversion_rate" } });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("need a goal"));
    }

    [Test]
    public async Task Only_an_admin_key_of_the_site_may_add_goals_and_segments()
    {
        using var reader = _host.Client(_reader);
        using var goal = await reader.PostAsJsonAsync("/api/v2/goals", new { site_id = Site, name = "X", path = "/x" });
        using var segment = await reader.PostAsJsonAsync("/api/v2/segments", new { site_id = Site, name = "X", filters = new[] { new object[] { "is", "country", new[] { "FR" } } } });
        using var other = _host.Client(_host.Keys.Create(["elsewhere"], "admin", Analysts.Access.ApiKeyKinds.Admin).Secret);
        using var elsewhere = await other.PostAsJsonAsync("/api/v2/goals", new { site_id = Site, name = "X", path = "/x" });

        Assert.That(goal.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(segment.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task A_three_step_funnel_counts_visitors_per_step_within_a_visit_and_within_days()
    {
        var steps = new Func<Pipeline.Hits.Hit, bool>[]
        {
            h => h.Kind == Pipeline.Hits.HitKind.Pageview && h.Path == "/",
            h => h.Kind == Pipeline.Hits.HitKind.Pageview && h.Path == "/pricing",
            h => h.Kind == Pipeline.Hits.HitKind.Pageview && h.Path == "/done",
        };
        foreach (var (withinDays, withinVisit) in new[] { ((int?)null, true), (1, false) })
        {
            using var client = _host.Client(_reader);
            using var response = await client.PostAsJsonAsync("/api/v2/funnel", new
            {
                site_id = Site,
                date_range = Day,
                steps = new object[] { new { page = "/" }, new { page = "/pricing" }, new { goal = "Done" } },
                within_days = withinDays,
            });
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            var answer = JsonDocument.Parse(text).RootElement;
            var expected = _traffic.Funnel(steps, withinVisit);
            var visitors = answer.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt32()).ToArray();
            Assert.That(visitors, Is.EqualTo(expected), withinVisit ? "within a visit" : "within 1 day");
            Assert.That(answer.GetProperty("steps")[0].GetProperty("dropoff").GetInt32(), Is.EqualTo(expected[0] - expected[1]));
        }
        Assert.That(_traffic.Funnel(steps, true)[2], Is.LessThanOrEqualTo(_traffic.Funnel(steps, false)[2]));
    }

    [Test]
    public async Task A_funnel_is_filtered_like_any_query()
    {
        using var client = _host.Client(_reader);
        using var response = await client.PostAsJsonAsync("/api/v2/funnel", new
        {
            site_id = Site,
            date_range = Day,
            steps = new object[] { new { page = "/" }, new { page = "/pricing" } },
            filters = new[] { new object[] { "is", "country", new[] { "DE" } } },
        });
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var expected = _traffic.Funnel([h => h.Kind == Pipeline.Hits.HitKind.Pageview && h.Path == "/", h => h.Kind == Pipeline.Hits.HitKind.Pageview && h.Path == "/pricing"], true, h => h.Country == "DE");
        Assert.That(answer.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt32()), Is.EqualTo(expected));
    }

    [Test]
    public async Task A_saved_segment_filters_every_query_as_its_filters_do_and_can_lock_a_shared_link()
    {
        using var admin = _host.Client(_admin);
        using var saved = await admin.PostAsJsonAsync("/api/v2/segments", new { site_id = Site, name = "Germany", filters = new[] { new object[] { "is", "country", new[] { "DE" } } } });
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await saved.Content.ReadAsStringAsync());

        var segment = await _host.QueryAsync(_reader, new { site_id = Site, date_range = Day, metrics = new[] { "visitors", "pageviews" }, filters = new[] { new object[] { "is", "segment", new[] { "Germany" } } } });
        var german = (Func<Pipeline.Hits.Hit, bool>)(h => h.Country == "DE");
        Assert.That(Metrics(segment.GetProperty("results")[0]), Is.EqualTo(new double[] { _traffic.Visitors(german), _traffic.Hits.Count(h => german(h) && !h.IsBot && h.Kind == Pipeline.Hits.HitKind.Pageview) }));

        var share = _host.Keys.Create([Site], "share", Analysts.Access.ApiKeyKinds.Share, JsonDocument.Parse("""[["is","segment",["Germany"]]]""").RootElement.Clone()).Secret;
        var locked = await _host.QueryAsync(share, new { site_id = Site, date_range = Day, metrics = new[] { "pageviews" } });
        Assert.That(Metrics(locked.GetProperty("results")[0])[0], Is.EqualTo(_traffic.Hits.Count(h => german(h) && !h.IsBot && h.Kind == Pipeline.Hits.HitKind.Pageview)));
    }

    [Test]
    public async Task A_shared_link_lists_only_the_property_names_on_its_locked_hits_and_none_under_its_threshold()
    {
        // Its own site: "plan" on 12 visitors in Germany, "coupon" on 3 there (under the shared links' 10),
        // "referral" on 15 in France, outside the link's lock.
        const string site = "insights-props-locked";
        var at = new DateTime(2026, 3, 11, 9, 0, 0, DateTimeKind.Utc);
        Pipeline.Hits.Hit Carrying(string name, string country, int i)
        {
            var hit = Fixtures.Page(site, Guid.NewGuid(), at.AddMinutes(i), "/", country: country, kind: Pipeline.Hits.HitKind.Event, eventName: "Signup");
            hit.Props = new Dictionary<string, string> { [name] = "x" };
            return hit;
        }
        await _host.SeedAsync([
            .. Enumerable.Range(0, 12).Select(i => Carrying("plan", "DE", i)),
            .. Enumerable.Range(0, 3).Select(i => Carrying("coupon", "DE", 20 + i)),
            .. Enumerable.Range(0, 15).Select(i => Carrying("referral", "FR", 30 + i)),
        ]);
        var share = _host.Keys.Create([site], "share", Analysts.Access.ApiKeyKinds.Share, JsonDocument.Parse("""[["is","country",["DE"]]]""").RootElement.Clone()).Secret;

        async Task<string[]> NamesAsync(string key)
        {
            using var client = _host.Client(key);
            var answer = await client.GetFromJsonAsync<JsonElement>($"/api/v2/properties?site_id={site}&date_range=2026-03-11,2026-03-11");
            return [.. answer.GetProperty("properties").EnumerateArray().Select(p => $"{p.GetProperty("name").GetString()} {p.GetProperty("hits").GetInt64()}")];
        }

        Assert.That(await NamesAsync(_host.NewKey(site)), Is.EqualTo(new[] { "referral 15", "plan 12", "coupon 3" }), "a reader sees every name");
        Assert.That(await NamesAsync(share), Is.EqualTo(new[] { "plan 12" }), "the shared link sees its locked hits' names with 10 visitors or more");
    }
}
