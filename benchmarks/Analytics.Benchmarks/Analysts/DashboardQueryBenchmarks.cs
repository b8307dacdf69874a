using System.Text.Json;
using Analytics.Analysts;
using Analytics.Analysts.Api;
using Analytics.Analysts.Query;
using Analytics.Pipeline.ClickHouse.ChDb;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks.Analysts;

/// <summary>
/// The dashboard's queries, as the stats API runs them (planner, engine, reading rows), on generated
/// traffic in the embedded engine. Hits: 10 M by default; ANALYTICS_BENCH_HITS=50000000 for the larger run.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Percentiles))]
public class DashboardQueryBenchmarks
{
    private ChDbEngine _engine = null!;
    private QueryRunner _runner = null!;
    private RealtimeQuery _realtime = null!;
    private StatsQuery _query = null!;

    public enum Panel
    {
        Topline,
        Chart,
        TopPages,
        EntryPages,
        Sources,
        Countries,
        Browsers,
        ToplineFilteredByPage,
        Realtime,
    }

    public static IEnumerable<int> HitCounts() =>
        [int.TryParse(Environment.GetEnvironmentVariable("ANALYTICS_BENCH_HITS"), out var hits) ? hits : 10_000_000];

    [ParamsSource(nameof(HitCounts))]
    public int Hits { get; set; }

    [ParamsAllValues]
    public Panel Query { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = BenchmarkTraffic.Open(Hits);
        var clickHouse = new EmbeddedClickHouse(_engine, "analytics");
        var options = Options.Create(new AnalystsOptions { RealtimeCacheFor = TimeSpan.Zero });
        _runner = new QueryRunner(clickHouse, options);
        _realtime = new RealtimeQuery(clickHouse, _runner, options, TimeProvider.System);
        var parser = new StatsQueryParser(options, TimeProvider.System);
        var body = Query switch
        {
            Panel.Topline or Panel.Realtime => """{"metrics":["visitors","visits","pageviews","views_per_visit","bounce_rate","visit_duration"],"include":{"comparisons":{"mode":"previous_period"}}}""",
            Panel.Chart => """{"metrics":["visitors","pageviews"],"dimensions":["time:day"],"include":{"comparisons":{"mode":"previous_period"}}}""",
            Panel.TopPages => """{"metrics":["visitors","pageviews"],"dimensions":["page"],"pagination":{"limit":10}}""",
            Panel.EntryPages => """{"metrics":["visitors","visits"],"dimensions":["entry_page"],"pagination":{"limit":10}}""",
            Panel.Sources => """{"metrics":["visitors","visits"],"dimensions":["source"],"pagination":{"limit":10}}""",
            Panel.Countries => """{"metrics":["visitors"],"dimensions":["country"],"pagination":{"limit":10}}""",
            Panel.Browsers => """{"metrics":["visitors"],"dimensions":["browser"],"pagination":{"limit":10}}""",
            _ => """{"metrics":["visitors","visits","pageviews","bounce_rate","visit_duration"],"filters":[["is","page",["/page/0"]]]}""",
        };
        using var document = JsonDocument.Parse(body.Insert(1, $"\"site_id\":\"{BenchmarkTraffic.Site}\",\"date_range\":[\"2026-01-01\",\"2026-01-30\"],"));
        _query = parser.Parse(document.RootElement);
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark]
    public async Task<int> Answer() => Query == Panel.Realtime
        ? (int)(await _realtime.RunAsync(BenchmarkTraffic.Site, CancellationToken.None)).Visitors
        : (await _runner.RunAsync(_query, null, CancellationToken.None)).Rows.Count;

    private sealed class Percentiles : ManualConfig
    {
        public Percentiles() => AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);
    }
}
