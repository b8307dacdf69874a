using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Analytics.Analysts;
using Analytics.Analysts.Access;
using Analytics.Analysts.Query;
using Analytics.Analysts.Storage;
using Analytics.Bench.Report;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Options;

namespace Analytics.Bench.Sections;

/// <summary>
/// Stats query latency on generated traffic. The engine generates hits and the matching visits
/// (<see cref="QueryData"/>), which also fill every rollup view; then each query body the dashboard
/// sends is timed through HTTP with a real API key, and the main questions are timed in-process through
/// the planner and with rollups switched off (<see cref="PlanMode.NoRollups"/>).
/// </summary>
public sealed class QuerySection(BenchSettings settings, TextWriter log)
{
    /// <summary>The site of the <paramref name="index"/>th size: each size is generated into a site of its own.</summary>
    public static string SiteFor(int index) => index == 0 ? "bench-q" : "bench-q" + (index + 1).ToString(CultureInfo.InvariantCulture);
    private const int MaxRuns = 20;
    private const int MinRuns = 3;

    /// <summary>Time spent on one query's runs at most (after the minimum), so a slow query cannot stretch the run.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    public async Task<QueryFigures> RunAsync(IServiceProvider services, Uri hostAddress, int sizeIndex, CancellationToken cancellationToken)
    {
        var size = settings.QueryHits[sizeIndex];
        var site = SiteFor(sizeIndex);
        var clickHouse = services.GetRequiredService<IClickHouse>();
        var db = clickHouse.Database;
        var end = DateTime.UtcNow;
        var started = Stopwatch.GetTimestamp();
        await clickHouse.ExecuteAsync(QueryData.HitsSql(db, site, size, settings.Seed, end), cancellationToken: cancellationToken);
        var hitsSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        started = Stopwatch.GetTimestamp();
        await clickHouse.ExecuteAsync(QueryData.SessionsSql(db, site, size, settings.Seed, end), cancellationToken: cancellationToken);
        var sessionsSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var counts = (await TextAsync(clickHouse,
            $"SELECT (SELECT count() FROM {db}.hits WHERE site_id = '{site}'), (SELECT sum(sign) FROM {db}.sessions WHERE site_id = '{site}')", cancellationToken)).Trim().Split('\t');
        var hits = long.Parse(counts[0], CultureInfo.InvariantCulture);
        var visits = long.Parse(counts[1], CultureInfo.InvariantCulture);
        log.WriteLine($"  generated {hits:N0} hits in {hitsSeconds:0.0} s and {visits:N0} visits in {sessionsSeconds:0.0} s");
        var merging = await SettleAsync(clickHouse, cancellationToken);

        var parser = services.GetRequiredService<StatsQueryParser>();
        var runner = services.GetRequiredService<QueryRunner>();
        var secret = services.GetRequiredService<ApiKeyStore>().Create([site], "bench").Secret;
        using var http = new HttpClient { BaseAddress = hostAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        var timings = new List<QueryTiming>();
        foreach (var (group, queries) in new[] { ("stats API", DashboardQueries.Default), ("stats API, page filter", DashboardQueries.PageFiltered) })
        {
            foreach (var (name, template) in queries)
            {
                var body = template.Replace("{site}", site, StringComparison.Ordinal);
                var source = QueryPlanner.SourceFor(Parse(parser, body), Parse(parser, body).Range).ToString();
                timings.Add(await TimeAsync(name, group, source, async () =>
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync("/api/v2/query", content, cancellationToken);
                    await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    return response.IsSuccessStatusCode;
                }, cancellationToken));
            }
        }
        InsightsQueries.AddGoals(services.GetRequiredService<DefinitionStore>(), site);
        foreach (var (name, path, template) in InsightsQueries.All)
        {
            var body = template.Replace("{site}", site, StringComparison.Ordinal);
            timings.Add(await TimeAsync(name, "stats API, goals/funnels", path, async () =>
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(path, content, cancellationToken);
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                return response.IsSuccessStatusCode;
            }, cancellationToken));
        }
        timings.Add(await TimeAsync("realtime (GET /api/v2/realtime, answer reused 2 s)", "stats API", "Hits", async () =>
        {
            using var response = await http.GetAsync($"/api/v2/realtime?site_id={site}", cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return response.IsSuccessStatusCode;
        }, cancellationToken));

        // The same planner without the visitor windows (schema 0027): the spans alone, as before them.
        var spansOnly = new QueryRunner(services.GetRequiredService<StatsClickHouse>(), services.GetRequiredService<IOptions<AnalystsOptions>>(), services.GetRequiredService<DefinitionStore>());
        foreach (var (name, template) in DashboardQueries.Default.Where(q => DashboardQueries.MainQuestions.Contains(q.Name)))
        {
            var query = Parse(parser, template.Replace("{site}", site, StringComparison.Ordinal));
            foreach (var (mode, kind, reader) in new[] { (PlanMode.Best, "planner (rollups)", runner), (PlanMode.Best, "planner, no windows", spansOnly), (PlanMode.NoRollups, "raw hits + sessions", runner) })
            {
                timings.Add(await TimeAsync(name, kind, QueryPlanner.SourceFor(query, query.Range, mode).ToString(), async () =>
                {
                    try
                    {
                        await reader.RunAsync(query, null, cancellationToken, mode);
                        return true;
                    }
                    catch (BadQueryException)
                    {
                        // Over Analysts:QueryTimeout: reported as failed, and the timings already taken are kept.
                        return false;
                    }
                }, cancellationToken));
            }
        }
        foreach (var t in timings)
        {
            log.WriteLine($"  {t.Kind,-22} {t.Name,-50} {t.Source,-18} p50 {t.MedianMs,8:0.0} ms  p99 {t.P99Ms,8:0.0} ms  ({t.Runs} runs)");
        }
        var tables = await TextAsync(clickHouse,
            $"SELECT table, sum(rows), count(), formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE database = '{db}' AND active GROUP BY table ORDER BY table", cancellationToken);
        return new QueryFigures(hits, hitsSeconds, timings,
            [.. tables.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).Select(f => $"{f[0]} · {f[1]} rows · {f[2]} parts · {f[3]}")])
        {
            Visits = visits,
            SessionsSeconds = sessionsSeconds,
            MergesAtStart = merging,
        };
    }

    private static StatsQuery Parse(StatsQueryParser parser, string body)
    {
        using var document = JsonDocument.Parse(body);
        return parser.Parse(document.RootElement);
    }

    /// <summary>Waits (bounded) for the merges the big inserts started, so they do not run under the timings; returns how many were still running.</summary>
    private async Task<int> SettleAsync(IClickHouse clickHouse, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(120 * Stopwatch.Frequency);
        var running = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            running = int.Parse((await TextAsync(clickHouse, "SELECT count() FROM system.merges", cancellationToken)).Trim(), CultureInfo.InvariantCulture);
            if (running == 0)
            {
                break;
            }
            await Task.Delay(500, cancellationToken);
        }
        log.WriteLine($"  merges still running before the timings: {running}");
        return running;
    }

    /// <summary>
    /// One unmeasured run (its time is reported apart: the first load of a view, which builds any stored window it
    /// reads later), then up to <see cref="MaxRuns"/> measured ones within the budget (at least <see cref="MinRuns"/>).
    /// </summary>
    private static async Task<QueryTiming> TimeAsync(string name, string kind, string source, Func<Task<bool>> once, CancellationToken cancellationToken)
    {
        var first = Stopwatch.GetTimestamp();
        if (!await once())
        {
            return new QueryTiming(name, kind, 0, 0, 0) { Source = "failed" };
        }
        var firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
        var samples = new List<double>();
        var spent = Stopwatch.GetTimestamp();
        while (samples.Count < MaxRuns && (samples.Count < MinRuns || Stopwatch.GetElapsedTime(spent) < Budget))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var t = Stopwatch.GetTimestamp();
            if (!await once())
            {
                break;
            }
            samples.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        return new QueryTiming(name, kind, Stat.Median(samples), samples.DefaultIfEmpty(0).Max(), samples.Count)
        {
            Source = source,
            P99Ms = Stat.Percentile(samples, 99),
            FirstMs = firstMs,
        };
    }

    private static async Task<string> TextAsync(IClickHouse clickHouse, string sql, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql, "TabSeparated", cancellationToken: cancellationToken));
}
