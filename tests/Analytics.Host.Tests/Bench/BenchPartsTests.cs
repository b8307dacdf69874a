using System.Diagnostics;
using System.Text;
using Analytics.Bench;
using Analytics.Bench.Load;
using Analytics.Bench.Processes;
using Analytics.Bench.Report;
using Analytics.Bench.Sections;
using Analytics.Bench.Servers;
using Analytics.Bench.Soak;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Tests.Bench;

public class BenchPartsTests
{
    [TestCase("slow-acks", "inprocess")]
    [TestCase("broker-down", "spool")]
    [TestCase("kill-collector", "inprocess")]
    [TestCase("kill-aggregator", "spool")]
    public void A_kafka_fault_without_the_kafka_transport_is_refused_in_one_line_before_anything_starts(string fault, string transport)
    {
        var without = new BenchSettings { Transport = transport };
        var with = new BenchSettings { Transport = "Kafka" };
        Assert.That(FaultScenarios.Problem(["pause", fault], without.UsesKafka), Is.EqualTo($"The {fault} fault needs --transport kafka."));
        Assert.That(FaultScenarios.Problem(["pause", fault], with.UsesKafka), Is.Null);
        Assert.That(FaultScenarios.Problem(["kill-embedded", "shake"], with.UsesKafka), Does.StartWith("Unknown fault 'shake'; known: pause,"));
        Assert.That(FaultScenarios.Problem(["kill-embedded", "pause", "command"], without.UsesKafka), Is.Null);
    }

    [Test]
    public async Task The_bench_command_answers_a_kafka_fault_without_kafka_with_exit_2_and_the_reason_not_a_stack_trace()
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        int code;
        try
        {
            code = await BenchCommand.Create().Parse(["--soak", "5s", "--fault", "slow-acks"]).InvokeAsync();
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.ToString().Trim(), Is.EqualTo("The slow-acks fault needs --transport kafka."));
    }

    [Test]
    public void The_cost_of_a_batch_is_fitted_over_the_live_sizes_only_and_a_backlog_batch_does_not_bend_it()
    {
        // At each live size two rounds 20 ms either side of the line 250 ms + 50 µs per hit; the backlog batches far below it.
        var figures = new AggregatorFigures(100_000, [], [], [], [], [])
        {
            BatchCosts =
            [
                new(1_000, 100, 100 * 0.320, 1), new(5_000, 20, 20 * 0.480, 1), new(100_000, 1, 2.0, 1),
                new(1_000, 100, 100 * 0.280, 1), new(5_000, 20, 20 * 0.520, 1), new(100_000, 1, 2.2, 1),
            ],
        };

        Assert.That(figures.CpuPerBatch, Is.EqualTo(0.250).Within(1e-9));
        Assert.That(figures.CpuPerHit, Is.EqualTo(50e-6).Within(1e-12));
        Assert.That(figures.BatchCosts[0].CpuPer1000Hits, Is.EqualTo(0.320).Within(1e-9));
        Assert.That(new AggregatorFigures(1, [], [], [], [], []) { BatchCosts = [new(1_000, 1, 0.3, 1), new(100_000, 1, 2, 1)] }.CpuPerBatch, Is.Zero, "one live size fits no line");
    }

    [Test]
    public void The_beacon_mix_is_reproducible_from_its_seed_and_mixes_new_and_returning_visitors_on_the_site()
    {
        var a = BeaconMix.Create(42, count: 1000, visitors: 100, newVisitorShare: 0.3);
        var b = BeaconMix.Create(42, count: 1000, visitors: 100, newVisitorShare: 0.3);

        Assert.That(a.Requests, Is.EqualTo(b.Requests));
        Assert.That(a.Requests.Count(r => r.Visitor < 0), Is.InRange(200, 400));
        Assert.That(a.Requests.Where(r => r.Visitor >= 0).Select(r => r.Visitor).Distinct().Count(), Is.GreaterThan(50));
        Assert.That(a.Requests.All(r => r.PathAndQuery.StartsWith("/i.gif?site=bench&url=https%3A%2F%2Fwww.example.com%2F", StringComparison.Ordinal)), Is.True);
        Assert.That(a.Requests.Select(r => r.UserAgent).Distinct().Count(), Is.GreaterThan(5));
    }

    [Test]
    public void The_wrk_script_sends_a_cookie_only_for_returning_visitors_and_paces_only_when_asked()
    {
        var mix = BeaconMix.Create(7, count: 50, visitors: 10);
        var cookies = Enumerable.Range(0, 10).Select(i => $"_vid=cookie{i:00}").ToList();

        var script = WrkScript.Build(mix, cookies);
        var paced = WrkScript.Build(mix, cookies, delayMilliseconds: 10);

        foreach (var request in mix.Requests)
        {
            var cookie = request.Visitor >= 0 ? $"[==[_vid=cookie{request.Visitor:00}]==]" : "[==[]==]";
            Assert.That(script, Does.Contain($"[==[{request.PathAndQuery}]==], [==[{request.UserAgent}]==], [==[{request.Referer}]==], {cookie}"));
        }
        Assert.That(script, Does.Not.Contain("function delay"));
        Assert.That(paced, Does.Contain("function delay() return 10 end"));
    }

    [Test]
    public void The_wrk_summary_line_is_found_in_its_output()
    {
        const string output = "Running 10s test @ http://127.0.0.1:1/\n  2 threads and 64 connections\n" +
            "BENCHJSON {\"requests\":500000,\"duration_us\":10000000,\"connect_errors\":0,\"read_errors\":1,\"write_errors\":0,\"status_errors\":2,\"timeouts\":3,\"p50_us\":900,\"p90_us\":1500,\"p99_us\":4000,\"max_us\":20000}\n";

        var result = WrkResult.Parse(output)!;

        Assert.That(result.RequestsPerSecond, Is.EqualTo(50_000));
        Assert.That(result.P99Microseconds, Is.EqualTo(4000));
        Assert.That(result.Errors, Is.EqualTo(6));
        Assert.That(result.Answered, Is.EqualTo(499_998));
        Assert.That(WrkResult.Parse("wrk: unable to connect"), Is.Null);
    }

    [Test]
    public void Medians_and_percentiles_use_every_value()
    {
        Assert.That(Stat.Median([3, 1, 2]), Is.EqualTo(2));
        Assert.That(Stat.Median([4, 1, 3, 2]), Is.EqualTo(2.5));
        Assert.That(Stat.Percentile(Enumerable.Range(1, 100).Select(i => (double)i), 99), Is.EqualTo(99));
        Assert.That(Stat.Median([]), Is.Zero);
    }

    [TestCase(64, 20_000, 10_000, 128)]
    [TestCase(64, 20_000, 1_000, 128)]
    [TestCase(64, 20_000, 80_000, 32)]
    [TestCase(64, 20_000, 25_000, 51.2)]
    [TestCase(64, 20_000, 0, 128)]
    public void A_calibration_run_moves_the_connection_count_toward_the_rate_by_at_most_a_factor_of_two(int connections, double rate, double achieved, double next)
    {
        Assert.That(BeaconSection.NextConnections(connections, rate, achieved), Is.EqualTo(next).Within(1e-9));
    }

    /// <summary>The exit code: a soak fails when a visitor's pageviews are not one visit (shorter than the visit timeout), as when a hit is missing.</summary>
    [TestCase(1_000, 1_000, true)]
    [TestCase(1_000, 1_002, false)]
    [TestCase(-1, 0, true)]
    public void A_soak_passes_only_when_its_hits_and_its_visits_hold(long visitors, long visits, bool passed)
    {
        // 1,000 visitors with 10 pageviews each, none with one hit; visitors -1: a soak too long to compare visits.
        var stored = visitors < 0 ? null : new StoredVisits(visitors, 0, visits, 10_000, 0, 50_000, 0, new RollupVisits(visits, 0, 50_000));
        var answered = new AnsweredFigures(10_000, 10_000, 10_000, 10_000, 10_000, 0, Restarted: true, stored);
        var missing = answered with { AnsweredMissing = 1 };

        Assert.That(Report(answered).Passed, Is.EqualTo(passed));
        Assert.That(Report(missing).Passed, Is.False);

        static BenchReport Report(AnsweredFigures answered) => new()
        {
            Command = "bench",
            StartedAt = DateTime.UnixEpoch,
            Machine = new MachineInfo("", "", 2, 0, "", "", "", "", ""),
            Seed = 1,
            Settings = "",
            Soak = new SoakFigures(10, 300, ["kill-embedded"], new DeliveryFigures(10_000, 10_000, 0, 10_000) { Answered = answered }, 1, 0),
        };
    }

    [Test]
    public void Collector_counters_are_read_from_prometheus_text()
    {
        const string metrics = "# HELP analytics_hits_accepted_total x\n# TYPE analytics_hits_accepted_total counter\nanalytics_hits_accepted_total 1234\n" +
            "analytics_hits_rejected_total{reason=\"UnknownSite\"} 3\nanalytics_hits_rejected_total{reason=\"Overloaded\"} 0\nanalytics_beacon_duration_seconds_count 9\n";

        Assert.That(CollectorClient.ParseCounters(metrics), Is.EqualTo((1234L, 3L)));
    }

    [Test]
    public async Task Cpu_and_peak_memory_are_read_for_a_process_and_its_children()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "5") { UseShellExecute = false })!;
        try
        {
            var self = Environment.ProcessId;
            Assert.That(ProcessStats.CpuSeconds(self), Is.GreaterThan(0));
            Assert.That(ProcessStats.PeakRssBytes(self), Is.GreaterThan(10 * 1024 * 1024));
            Assert.That(ProcessStats.Tree(self), Does.Contain(child.Id));
            Assert.That(ProcessStats.TreePeakRssBytes(self), Is.GreaterThan(ProcessStats.PeakRssBytes(self)));
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync();
        }
        Assert.That(ProcessStats.CpuSeconds(child.Id), Is.Null);
    }

    [Test]
    public void The_nginx_baseline_is_empty_gif_with_the_userid_cookie_and_an_access_log_on_loopback()
    {
        var config = NginxServer.Config("/tmp/x", 12345);

        Assert.That(config, Does.Contain("listen 127.0.0.1:12345;"));
        Assert.That(config, Does.Contain("empty_gif;"));
        Assert.That(config, Does.Contain("userid on;"));
        Assert.That(config, Does.Contain("access_log /tmp/x/access.log combined;"));
    }

    [TestCase("10s", 10)]
    [TestCase("2m", 120)]
    [TestCase("1.5", 1.5)]
    public void Durations_are_given_in_seconds_minutes_or_plain_numbers(string text, double seconds)
    {
        Assert.That(BenchCommand.Seconds(text), Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [Test]
    public async Task Generated_hits_lie_within_the_spans_of_the_visits_they_carry()
    {
        // Generated by the engine, as the query section does.
        await using var host = await RunningHost.StartAsync();
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        var end = new DateTime(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);
        await clickHouse.ExecuteAsync(QueryData.HitsSql(clickHouse.Database, "gen", 20_000, 5, end));
        // Not a wait for a condition: the second insert must run in a later second than the first, as at
        // 10 M hits, where it starts a minute later.
        await Task.Delay(1100);
        await clickHouse.ExecuteAsync(QueryData.SessionsSql(clickHouse.Database, "gen", 20_000, 5, end));

        var sql = $"""
            SELECT count(), countIf(h.timestamp >= v.started_at AND h.timestamp <= v.ended_at), uniqExact(h.session_id),
                   (SELECT count() FROM {clickHouse.Database}.sessions WHERE site_id = 'gen'), (SELECT sum(hits) FROM {clickHouse.Database}.sessions WHERE site_id = 'gen'),
                   countIf(v.started_at > toDateTime64('2026-11-20 12:00:00', 3, 'UTC'))
            FROM {clickHouse.Database}.hits AS h INNER JOIN {clickHouse.Database}.sessions AS v ON h.session_id = v.session_id
            WHERE h.site_id = 'gen' AND v.site_id = 'gen'
            """;
        var row = Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql, "TabSeparated")).Trim().Split('\t').Select(long.Parse).ToArray();

        Assert.That(row[0], Is.EqualTo(row[4]).And.InRange(19_000, 21_000), "hits joined to their visits, as many as the visits count");
        Assert.That(row[1], Is.EqualTo(row[0]), "hits within their visit's span");
        Assert.That(row[2], Is.EqualTo(row[3]).And.EqualTo(QueryData.VisitsFor(20_000)), "visits with hits");
        Assert.That(row[5], Is.Zero, "visits started after the given end");
    }
}
