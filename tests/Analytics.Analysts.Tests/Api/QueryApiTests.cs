using System.Net;
using System.Text.Json;

namespace Analytics.Analysts.Tests.Api;

/// <summary>Every metric, filter and date rule against the hand-computed <see cref="Fixtures"/>.</summary>
[TestFixture]
public sealed class QueryApiTests
{
    private static readonly string[] Day = ["2026-03-10", "2026-03-10"];
    private StatsHost _host = null!;
    private string _key = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await StatsHost.StartAsync();
        await _host.SeedAsync([.. Fixtures.Hits("demo"), .. Fixtures.Hits("paris")]);
        _key = _host.NewKey("demo", "paris");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private Task<JsonElement> Query(object body) => _host.QueryAsync(_key, body);

    private static double[] Metrics(JsonElement answer, int row = 0) =>
        answer.GetProperty("results")[row].GetProperty("metrics").EnumerateArray().Select(m => m.GetDouble()).ToArray();

    private static List<(string Dimension, double[] Metrics)> Rows(JsonElement answer) =>
        answer.GetProperty("results").EnumerateArray()
            .Select(r => (string.Join("|", r.GetProperty("dimensions").EnumerateArray().Select(d => d.GetString())), r.GetProperty("metrics").EnumerateArray().Select(m => m.GetDouble()).ToArray()))
            .ToList();

    [Test]
    public async Task Every_metric_of_a_day_matches_the_hand_computed_totals()
    {
        var answer = await Query(new
        {
            site_id = "demo",
            date_range = Day,
            metrics = new[] { "visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "events", "link_clicks" },
        });

        Assert.That(Metrics(answer), Is.EqualTo(new[] { 3, 5, 8, 1.6, 60, 156, 1, 1 }));
        Assert.That(answer.GetProperty("meta").GetProperty("total_rows").GetInt64(), Is.EqualTo(1));
    }

    [TestCase("visitors,visits,pageviews,views_per_visit,bounce_rate,visit_duration")]
    [TestCase("visits,bounce_rate")]
    [TestCase("visitors,pageviews")]
    public async Task An_aggregate_of_an_empty_period_answers_one_row_of_zeros(string metrics)
    {
        var names = metrics.Split(',');

        var answer = await Query(new { site_id = "demo", date_range = new[] { "2020-01-01", "2020-01-31" }, metrics = names });

        Assert.That(answer.GetProperty("results").GetArrayLength(), Is.EqualTo(1));
        Assert.That(Metrics(answer), Is.EqualTo(new double[names.Length]));
        Assert.That(answer.GetProperty("meta").GetProperty("total_rows").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_comparison_with_an_empty_earlier_period_has_no_change_but_new_for_the_bounce_rate_too()
    {
        // 2026-03-09: one visit of one pageview (a bounce); the day before is empty.
        var answer = await Query(new
        {
            site_id = "demo",
            date_range = new[] { "2026-03-09", "2026-03-09" },
            metrics = new[] { "visitors", "visits", "bounce_rate" },
            include = new { comparisons = new { mode = "previous_period" } },
        });

        var comparison = answer.GetProperty("results")[0].GetProperty("comparison");
        Assert.That(Metrics(answer), Is.EqualTo(new double[] { 1, 1, 100 }));
        Assert.That(comparison.GetProperty("metrics").EnumerateArray().Select(m => m.GetDouble()), Is.EqualTo(new double[] { 0, 0, 0 }));
        Assert.That(comparison.GetProperty("change").EnumerateArray().Select(c => c.ValueKind), Is.All.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task All_time_starts_at_the_sites_first_day_with_data_and_counts_every_day()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        string[] metrics = ["visitors", "visits", "pageviews", "bounce_rate"];

        var all = await Query(new { site_id = "demo", date_range = "all", metrics });
        var spelledOut = await Query(new { site_id = "demo", date_range = new[] { "2026-03-09", today }, metrics });
        var months = await Query(new { site_id = "demo", date_range = "all", metrics = new[] { "pageviews" }, dimensions = new[] { "time:month" } });
        var nothing = await _host.QueryAsync(_host.NewKey("quiet"), new { site_id = "quiet", date_range = "all", metrics });

        // The fixture's first hit is on 2026-03-09 (UTC), its last on 2026-03-10.
        Assert.That(all.GetProperty("meta").GetProperty("date_range").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "2026-03-09", today }));
        Assert.That(Metrics(all), Is.EqualTo(Metrics(spelledOut)));
        Assert.That(Metrics(all)[2], Is.EqualTo(9), "8 pageviews on the 10th and 1 on the 9th");
        Assert.That(Rows(months)[0].Dimension, Does.StartWith("2026-03"), "the series starts with the first month with data");
        Assert.That(Rows(months).Sum(r => r.Metrics[0]), Is.EqualTo(9));
        Assert.That(nothing.GetProperty("meta").GetProperty("date_range").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { today, today }));
        Assert.That(Metrics(nothing), Is.EqualTo(new double[metrics.Length]));
    }

    [Test]
    public async Task Hit_metrics_alone_come_out_the_same_as_with_visit_metrics()
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "pageviews", "events", "link_clicks" } });

        Assert.That(Metrics(answer), Is.EqualTo(new[] { 3, 8, 1, 1 }));
    }

    [Test]
    public async Task Bot_hits_are_counted_apart_and_nowhere_else()
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "bot_hits", "visitors", "pageviews" } });

        Assert.That(Metrics(answer), Is.EqualTo(new[] { 1, 3, 8 }));
    }

    [Test]
    public async Task Top_pages_count_visitors_and_pageviews_per_path()
    {
        var answer = await Query(new
        {
            site_id = "demo",
            date_range = Day,
            metrics = new[] { "visitors", "pageviews" },
            dimensions = new[] { "page" },
            order_by = new[] { new[] { "pageviews", "desc" } },
        });

        // "/": A twice, B once; "/pricing": A, B and the anonymous hit's pageview, which is no visitor (A's event there is not a pageview); "/docs": A, C.
        Assert.That(Rows(answer), Is.EqualTo(new[] { ("/", new double[] { 2, 3 }), ("/pricing", new double[] { 2, 3 }), ("/docs", new double[] { 2, 2 }) }));
    }

    [Test]
    public async Task Entry_and_exit_pages_come_from_the_visits()
    {
        var entry = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visits" }, dimensions = new[] { "entry_page" } });
        var exit = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visits", "bounce_rate" }, dimensions = new[] { "exit_page" } });

        Assert.That(Rows(entry), Is.EqualTo(new[] { ("/", new double[] { 2 }), ("/pricing", new double[] { 2 }), ("/docs", new double[] { 1 }) }));
        // Exits: visit 1 /docs, 2 /, 3 /, 4 /docs (bounce), 5 /pricing (bounce).
        Assert.That(Rows(exit), Is.EqualTo(new[] { ("/", new double[] { 2, 50 }), ("/docs", new double[] { 2, 50 }), ("/pricing", new double[] { 1, 100 }) }));
    }

    [Test]
    public async Task Sources_and_channels_are_the_values_of_each_visits_first_hit()
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visits", "visit_duration" }, dimensions = new[] { "channel" } });

        Assert.That(Rows(answer), Is.EqualTo(new[] { ("direct", new double[] { 3, 20 }), ("referral", new double[] { 1, 120 }), ("search", new double[] { 1, 600 }) }));
    }

    [Test]
    public async Task Geo_device_event_and_link_dimensions_break_down_as_stored()
    {
        var countries = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "pageviews" }, dimensions = new[] { "country" } });
        var events = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "events" }, dimensions = new[] { "event_name" }, filters = new object[] { new object[] { "is_not", "event_name", new[] { "" } } } });
        var links = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "link_clicks" }, dimensions = new[] { "link_campaign" }, filters = new object[] { new object[] { "is_not", "link_campaign", new[] { "" } } } });
        var devices = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors" }, dimensions = new[] { "device", "browser" } });

        Assert.That(Rows(countries), Is.EqualTo(new[] { ("DE", new double[] { 1, 2 }), ("FR", new double[] { 1, 5 }), ("US", new double[] { 1, 1 }) }));
        Assert.That(Rows(events), Is.EqualTo(new[] { ("signup", new double[] { 1, 1 }) }));
        Assert.That(Rows(links), Is.EqualTo(new[] { ("newsletter-1", new double[] { 1 }) }));
        Assert.That(Rows(devices), Is.EqualTo(new[] { ("desktop|Firefox", new double[] { 1 }), ("desktop|Safari", new double[] { 1 }), ("mobile|Chrome", new double[] { 1 }) }));
    }

    [TestCase("is", "country", "FR", 1, 5)]
    [TestCase("is_not", "country", "FR", 2, 3)]
    [TestCase("contains", "page", "PRIC", 2, 3)]
    [TestCase("matches", "page", "^/d", 2, 2)]
    [TestCase("contains_not", "page", "o", 2, 6)]
    public async Task A_single_filter_narrows_visitors_and_pageviews(string op, string dimension, string value, int visitors, int pageviews)
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "pageviews" }, filters = new object[] { new object[] { op, dimension, new[] { value } } } });

        Assert.That(Metrics(answer), Is.EqualTo(new double[] { visitors, pageviews }));
    }

    [Test]
    public async Task Filters_combine_with_and_or_and_not()
    {
        var or = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors" }, filters = new object[] { new object[] { "or", new object[] { new object[] { "is", "country", new[] { "DE" } }, new object[] { "is", "country", new[] { "US" } } } } } });
        var not = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "pageviews" }, filters = new object[] { new object[] { "not", new object[] { "is", "page", new[] { "/" } } } } });
        var and = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "pageviews" }, filters = new object[] { new object[] { "is", "country", new[] { "FR" } }, new object[] { "is", "page", new[] { "/" } } } });
        var several = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "pageviews" }, filters = new object[] { new object[] { "is", "page", new[] { "/", "/docs" } } } });

        Assert.That(Metrics(or), Is.EqualTo(new double[] { 2 }));
        Assert.That(Metrics(not), Is.EqualTo(new double[] { 3, 5 }));
        Assert.That(Metrics(and), Is.EqualTo(new double[] { 1, 2 }));
        Assert.That(Metrics(several), Is.EqualTo(new double[] { 5 }));
    }

    [Test]
    public async Task A_page_filter_on_visit_metrics_keeps_the_visits_that_viewed_the_page()
    {
        // Visits 1 (600 s) and 4 (60 s, bounce) viewed /docs.
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visits", "bounce_rate", "visit_duration", "pageviews" }, filters = new object[] { new object[] { "is", "page", new[] { "/docs" } } } });

        Assert.That(Metrics(answer), Is.EqualTo(new double[] { 2, 50, 330, 2 }));
    }

    [Test]
    public async Task A_source_filter_keeps_the_visits_that_came_from_it()
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "visits", "pageviews", "bounce_rate", "visit_duration" }, filters = new object[] { new object[] { "is", "source", new[] { "google" } } } });

        Assert.That(Metrics(answer), Is.EqualTo(new double[] { 1, 1, 3, 0, 600 }));
    }

    [Test]
    public async Task Days_end_at_midnight_in_the_sites_time_zone()
    {
        // C's hits at 23:30 UTC on the 10th are 00:30 on the 11th in Paris (UTC+1 in March).
        var utc = await Query(new { site_id = "demo", date_range = new[] { "2026-03-10", "2026-03-11" }, metrics = new[] { "visitors" }, dimensions = new[] { "time:day" } });
        var paris = await Query(new { site_id = "paris", date_range = new[] { "2026-03-10", "2026-03-11" }, metrics = new[] { "visitors" }, dimensions = new[] { "time:day" } });

        Assert.That(Rows(utc), Is.EqualTo(new[] { ("2026-03-10", new double[] { 3 }), ("2026-03-11", new double[] { 0 }) }));
        Assert.That(Rows(paris), Is.EqualTo(new[] { ("2026-03-10", new double[] { 2 }), ("2026-03-11", new double[] { 1 }) }));
        Assert.That(paris.GetProperty("meta").GetProperty("time_zone").GetString(), Is.EqualTo("Europe/Paris"));
    }

    [Test]
    public async Task Hourly_series_has_every_hour_in_the_sites_time_zone()
    {
        var answer = await Query(new { site_id = "paris", date_range = Day, metrics = new[] { "pageviews" }, dimensions = new[] { "time:hour" } });

        var rows = Rows(answer);
        Assert.That(rows, Has.Count.EqualTo(24));
        // The five pageviews between 10:00 and 11:00 UTC are at 11:00 in Paris.
        Assert.That(rows[11], Is.EqualTo(("2026-03-10 11:00:00", new double[] { 5 })));
        Assert.That(rows.Sum(r => r.Metrics[0]), Is.EqualTo(7));
    }

    [Test]
    public async Task Comparison_with_the_previous_period_gives_earlier_values_and_change()
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "pageviews", "bounce_rate" }, include = new { comparisons = new { mode = "previous_period" } } });

        var comparison = answer.GetProperty("results")[0].GetProperty("comparison");
        Assert.That(comparison.GetProperty("metrics").EnumerateArray().Select(m => m.GetDouble()), Is.EqualTo(new double[] { 1, 1, 100 }));
        Assert.That(comparison.GetProperty("change").EnumerateArray().Select(m => m.GetDouble()), Is.EqualTo(new double[] { 200, 700, -40 }));
        Assert.That(answer.GetProperty("meta").GetProperty("comparison_date_range").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "2026-03-09", "2026-03-09" }));
    }

    [Test]
    public async Task Breakdown_comparison_pairs_rows_by_value_and_marks_new_ones()
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors" }, dimensions = new[] { "page" }, include = new { comparisons = new { mode = "previous_period" } } });

        var rows = answer.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("dimensions")[0].GetString()!, r => r.GetProperty("comparison"));
        Assert.That(rows["/"].GetProperty("change")[0].GetDouble(), Is.EqualTo(100));
        Assert.That(rows["/docs"].GetProperty("change")[0].ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Year_over_year_compares_with_the_same_days_a_year_before()
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "visitors" }, compare = "year_over_year" });

        Assert.That(answer.GetProperty("meta").GetProperty("comparison_date_range")[0].GetString(), Is.EqualTo("2025-03-10"));
        Assert.That(answer.GetProperty("results")[0].GetProperty("comparison").GetProperty("metrics")[0].GetDouble(), Is.Zero);
    }

    [Test]
    public async Task Limit_and_offset_page_through_rows_and_total_rows_counts_them_all()
    {
        var answer = await Query(new { site_id = "demo", date_range = Day, metrics = new[] { "pageviews" }, dimensions = new[] { "page" }, order_by = new[] { new[] { "page", "asc" } }, pagination = new { limit = 1, offset = 1 } });

        Assert.That(Rows(answer), Is.EqualTo(new[] { ("/docs", new double[] { 2 }) }));
        Assert.That(answer.GetProperty("meta").GetProperty("total_rows").GetInt64(), Is.EqualTo(3));
    }

    [Test]
    public async Task Csv_is_served_for_the_format_parameter_and_for_accept()
    {
        var body = new { site_id = "demo", date_range = Day, metrics = new[] { "visitors", "pageviews" }, dimensions = new[] { "page" }, order_by = new[] { new[] { "page", "asc" } } };
        using var byParameter = await _host.PostQueryAsync(_key, body, "?format=csv");
        using var client = _host.Client(_key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/query") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Accept.ParseAdd("text/csv");
        using var byAccept = await client.SendAsync(request);

        const string expected = "page,visitors,pageviews\r\n/,2,3\r\n/docs,2,2\r\n/pricing,2,3\r\n";
        Assert.That(byParameter.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        Assert.That(await byParameter.Content.ReadAsStringAsync(), Is.EqualTo(expected));
        Assert.That(await byAccept.Content.ReadAsStringAsync(), Is.EqualTo(expected));
    }

    [Test]
    public async Task Get_shortcuts_answer_aggregate_timeseries_and_breakdown()
    {
        using var client = _host.Client(_key);

        var aggregate = JsonDocument.Parse(await client.GetStringAsync("/api/v2/aggregate?site_id=demo&date_range=2026-03-10,2026-03-10&metrics=visitors,visits")).RootElement;
        var series = JsonDocument.Parse(await client.GetStringAsync("/api/v2/timeseries?site_id=demo&date_range=2026-03-09,2026-03-10&metrics=pageviews&interval=day")).RootElement;
        var filters = Uri.EscapeDataString("""[["is","country",["FR"]]]""");
        var breakdown = JsonDocument.Parse(await client.GetStringAsync($"/api/v2/breakdown?site_id=demo&date_range=2026-03-10,2026-03-10&metrics=pageviews&dimension=page&filters={filters}&order_by=pageviews:desc")).RootElement;
        var csv = await client.GetStringAsync("/api/v2/breakdown?site_id=demo&date_range=2026-03-10,2026-03-10&metrics=visitors&dimension=country&format=csv");

        Assert.That(Metrics(aggregate), Is.EqualTo(new double[] { 3, 5 }));
        Assert.That(Rows(series), Is.EqualTo(new[] { ("2026-03-09", new double[] { 1 }), ("2026-03-10", new double[] { 8 }) }));
        Assert.That(Rows(breakdown), Is.EqualTo(new[] { ("/", new double[] { 2 }), ("/pricing", new double[] { 2 }), ("/docs", new double[] { 1 }) }));
        Assert.That(csv, Is.EqualTo("country,visitors\r\nDE,1\r\nFR,1\r\nUS,1\r\n"));
    }

    [Test]
    public async Task The_openapi_document_describes_the_query_endpoint_with_an_example()
    {
        using var client = _host.Client(null);
        var document = JsonDocument.Parse(await client.GetStringAsync("/api/openapi.json")).RootElement;

        var post = document.GetProperty("paths").GetProperty("/api/v2/query").GetProperty("post");
        Assert.That(post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("site_id").GetString(), Is.EqualTo("demo"));
        Assert.That(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _), Is.True);
    }

    [Test]
    public async Task A_value_with_quotes_and_backslashes_is_matched_exactly_as_data()
    {
        await _host.SeedAsync([Fixtures.Page("nasty", Fixtures.A, new DateTime(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc), Fixtures.NastyPath)]);
        var key = _host.NewKey("nasty");

        var found = await _host.QueryAsync(key, new { site_id = "nasty", date_range = Day, metrics = new[] { "pageviews" }, dimensions = new[] { "page" }, filters = new object[] { new object[] { "is", "page", new[] { Fixtures.NastyPath } } } });
        var contains = await _host.QueryAsync(key, new { site_id = "nasty", date_range = Day, metrics = new[] { "pageviews" }, filters = new object[] { new object[] { "contains", "page", new[] { "'); DROP" } } } });

        Assert.That(Rows(found), Is.EqualTo(new[] { (Fixtures.NastyPath, new double[] { 1 }) }));
        Assert.That(Metrics(contains), Is.EqualTo(new double[] { 1 }));
    }

    [Test]
    public async Task Many_queries_at_once_each_get_their_own_answer()
    {
        // Each query has its own bound values, in differing numbers; answers must not mix (the dashboard sends a dozen at once).
        string[][] countries = [["FR"], ["FR", "DE"], ["FR", "DE", "US"], ["XX"]];
        int[] expected = [5, 7, 8, 0];
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Query(new
        {
            site_id = "demo",
            date_range = Day,
            metrics = new[] { "pageviews" },
            filters = new object[] { new object[] { "is", "country", countries[i % 4] } },
        })));

        Assert.That(answers.Select(a => (int)Metrics(a)[0]), Is.EqualTo(Enumerable.Range(0, 32).Select(i => expected[i % 4])));
    }

    [Test]
    public async Task Realtime_counts_visitors_of_the_last_five_minutes()
    {
        var now = DateTime.UtcNow;
        await _host.SeedAsync(
        [
            Fixtures.Page("live", Fixtures.A, now.AddMinutes(-1), "/"),
            Fixtures.Page("live", Fixtures.A, now.AddMinutes(-2), "/x"),
            Fixtures.Page("live", Fixtures.B, now.AddMinutes(-3), "/"),
            Fixtures.Page("live", Fixtures.C, now.AddMinutes(-20), "/"),
            Fixtures.Page("live", Fixtures.Bot, now.AddMinutes(-1), "/", bot: true),
        ]);
        using var client = _host.Client(_host.NewKey("live"));

        using var response = await client.GetAsync("/api/v2/realtime?site_id=live");
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answer.GetProperty("visitors").GetInt64(), Is.EqualTo(2));
        Assert.That(answer.GetProperty("pageviews").GetInt64(), Is.EqualTo(3));
    }
}
