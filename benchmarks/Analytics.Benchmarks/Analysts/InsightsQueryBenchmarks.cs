using System.Text.Json;
using Analytics.Analysts;
using Analytics.Analysts.Insights;
using Analytics.Analysts.Query;
using Analytics.Pipeline.ClickHouse.ChDb;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks.Analysts;

/// <summary>
/// Goal conversions and funnels as the API runs them, on the same generated traffic as
/// <see cref="DashboardQueryBenchmarks"/> (10 M hits by default; ANALYTICS_BENCH_HITS to change), over
/// its 30 days. Goals: a popular page and the "signup" event.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Percentiles))]
public class InsightsQueryBenchmarks
{
    private ChDbEngine _engine = null!;
    private QueryRunner _runner = null!;
    private FunnelQuery _funnels = null!;
    private StatsQuery? _query;
    private FunnelRequest? _funnel;
    private string _folder = null!;

    public enum Question
    {
        ConversionsPerGoal,
        ConversionsBySource,
        FunnelWithinVisit,
        FunnelWithin7Days,
    }

    public static IEnumerable<int> HitCounts() => DashboardQueryBenchmarks.HitCounts();

    [ParamsSource(nameof(HitCounts))]
    public int Hits { get; set; }

    /// <summary>All questions, or the one ANALYTICS_BENCH_QUESTION names (the embedded engine opens one data folder per process, so an in-process run takes one).</summary>
    public static IEnumerable<Question> Questions() =>
        Enum.TryParse<Question>(Environment.GetEnvironmentVariable("ANALYTICS_BENCH_QUESTION"), out var one) ? [one] : Enum.GetValues<Question>();

    [ParamsSource(nameof(Questions))]
    public Question Query { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = BenchmarkTraffic.Open(Hits);
        var clickHouse = new EmbeddedClickHouse(_engine, "analytics");
        // A long limit, so a slow question is measured rather than refused.
        var options = Options.Create(new AnalystsOptions { QueryTimeout = TimeSpan.FromMinutes(2) });
        _folder = Directory.CreateTempSubdirectory("analytics-bench-goals").FullName;
        var definitions = new DefinitionStore(Path.Combine(_folder, "definitions.json"));
        definitions.AddGoal(BenchmarkTraffic.Site, "Page 1", "/page/1", null, null, null);
        definitions.AddGoal(BenchmarkTraffic.Site, "Signup", null, "signup", null, null);
        _runner = new QueryRunner(clickHouse, options, definitions);
        var parser = new StatsQueryParser(options, TimeProvider.System, definitions: definitions);
        _funnels = new FunnelQuery(parser, _runner, definitions);
        var range = $"\"site_id\":\"{BenchmarkTraffic.Site}\",\"date_range\":[\"2026-01-01\",\"2026-01-30\"],";
        var steps = "\"steps\":[{\"page\":\"/page/0\"},{\"goal\":\"Page 1\"},{\"goal\":\"Signup\"}]";
        var body = Query switch
        {
            Question.ConversionsPerGoal => """{"metrics":["conversions","conversion_rate"],"dimensions":["goal"]}""",
            Question.ConversionsBySource => """{"metrics":["conversions","conversion_rate"],"dimensions":["source"],"filters":[["is","goal",["Signup"]]],"pagination":{"limit":10}}""",
            Question.FunnelWithinVisit => "{" + steps + "}",
            _ => "{" + steps + ",\"within_days\":7}",
        };
        using var document = JsonDocument.Parse(body.Insert(1, range));
        if (Query is Question.FunnelWithinVisit or Question.FunnelWithin7Days)
        {
            _funnel = _funnels.Parse(document.RootElement);
        }
        else
        {
            _query = parser.Parse(document.RootElement);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public async Task<long> Answer() => _funnel is not null
        ? (await _funnels.RunAsync(_funnel, null, null, CancellationToken.None)).Steps[^1].Visitors ?? 0
        : (await _runner.RunAsync(_query!, null, CancellationToken.None)).Rows.Count;

    private sealed class Percentiles : ManualConfig
    {
        public Percentiles() => AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);
    }
}
