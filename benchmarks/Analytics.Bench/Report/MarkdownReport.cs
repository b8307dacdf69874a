using System.Globalization;
using System.Text;
using Analytics.Bench.Servers;

namespace Analytics.Bench.Report;

/// <summary>Renders a run as Markdown: every figure next to its baseline and the issue's target.</summary>
public static class MarkdownReport
{
    public static string Render(BenchReport r)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmark results").AppendLine();
        md.AppendLine($"Produced by `{r.Command}` on {r.StartedAt:yyyy-MM-dd HH:mm} UTC ({(r.FinishedAt - r.StartedAt).TotalMinutes:0.0} min), commit `{r.Machine.GitCommit}`.");
        md.AppendLine($"Settings: {r.Settings}. Medians over the rounds; every ratio is from this same run.").AppendLine();
        md.AppendLine("| machine | |").AppendLine("|---|---|");
        md.AppendLine($"| OS | {r.Machine.Os} |");
        md.AppendLine($"| CPU | {r.Machine.Cpu}, {r.Machine.Cores} cores (shared with other work) |");
        md.AppendLine($"| memory | {Gib(r.Machine.MemoryBytes)} |");
        md.AppendLine($"| runtime | {r.Machine.Runtime} |");
        md.AppendLine($"| tools | {r.Machine.Wrk}; {r.Machine.Nginx} |");
        md.AppendLine($"| load average (1, 5, 15 min) | at start {r.Machine.LoadAtStart}; at end {r.LoadAtEnd} (above {r.Machine.Cores}, other work competed for the CPUs) |").AppendLine();

        if (r.Beacon.Count > 0)
        {
            md.AppendLine("## Beacon throughput and latency").AppendLine();
            md.AppendLine("| server | req/s | p50 ms | p99 ms | server CPU s / 1,000 req | req per CPU-second | runs (req/s) |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
            foreach (var s in r.Beacon)
            {
                md.AppendLine($"| {s.Key}: {s.Description} | {s.RequestsPerSecond:N0} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.CpuSecondsPer1000:0.0000} | {s.RequestsPerCpuSecond:N0} | {string.Join(", ", s.Runs.Select(x => x.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} |");
            }
            md.AppendLine();
            var errors = r.Beacon.SelectMany(s => s.Runs).Sum(x => x.Errors);
            md.AppendLine($"Errors (connect/read/write/timeout/non-2xx) over all measured runs: {errors}.").AppendLine();
            if (r.Beacon.SingleOrDefault(s => s.Key == "embedded") is { } durable
                && r.Beacon.SingleOrDefault(s => s.Key == CollectorServer.EmbeddedInMemoryKey) is { } memory)
            {
                md.AppendLine($"Cost of durable answers (the default, fsynced spool) against the in-memory opt-in, same rounds: server CPU per beacon {durable.CpuSecondsPer1000 * 1000:0.0} vs {memory.CpuSecondsPer1000 * 1000:0.0} µs ({durable.CpuSecondsPer1000 / memory.CpuSecondsPer1000:0.00}x), req/s {durable.RequestsPerSecond:N0} vs {memory.RequestsPerSecond:N0} ({durable.RequestsPerSecond / memory.RequestsPerSecond:0.00}x), p99 {durable.P99Ms:0.00} vs {memory.P99Ms:0.00} ms.").AppendLine();
            }
        }
        if (r.Ratios is { } q)
        {
            md.AppendLine("| ratio (same run) | value | target |").AppendLine("|---|---:|---:|");
            md.AppendLine($"| collector / nginx, req/s | {q.ThroughputVsNginx:0.00}x | ≥ 0.6x |");
            md.AppendLine($"| collector / bare Kestrel, req/s | {q.ThroughputVsKestrel:0.00}x | ≥ 0.9x |");
            md.AppendLine($"| collector / nginx, req per CPU-second | {q.PerCpuVsNginx:0.00}x | ≥ 0.6x |");
            md.AppendLine($"| collector / bare Kestrel, req per CPU-second | {q.PerCpuVsKestrel:0.00}x | ≥ 0.9x |").AppendLine();
        }
        if (r.SteadyLatency is { } l)
        {
            md.AppendLine("## Collector latency under steady load").AppendLine();
            md.AppendLine($"Target {l.TargetShare:P0} of the collector's measured maximum ({l.TargetRate:N0} req/s); achieved {l.AchievedRate:N0} req/s over {l.Connections} connections (wrk, 1 ms pause per request on each connection; a calibration sized the count).").AppendLine();
            md.AppendLine("| p50 ms | p90 ms | p99 ms | errors | target |").AppendLine("|---:|---:|---:|---:|---|");
            md.AppendLine($"| {l.P50Ms:0.00} | {l.P90Ms:0.00} | {l.P99Ms:0.00} | {l.Errors} | p99 < 10 ms |").AppendLine();
        }
        if (r.Freshness is { } f)
        {
            md.AppendLine("## Freshness (beacon answered → visible through the stats API)").AppendLine();
            md.AppendLine($"One probe at a time under {f.LoadRate:N0} req/s of steady load; {f.Probes} probes, {f.Missed} not visible within 10 s.").AppendLine();
            md.AppendLine("| p50 ms | p99 ms | max ms | target |").AppendLine("|---:|---:|---:|---|");
            md.AppendLine($"| {f.P50Ms:0} | {f.P99Ms:0} | {f.MaxMs:0} | p99 < 2,000 ms |").AppendLine();
        }
        if (r.Delivery is { } d)
        {
            md.AppendLine("## Hits answered vs stored").AppendLine();
            AppendDelivery(md, d);
        }
        if (r.Aggregator is { } a)
        {
            md.AppendLine("## Aggregator throughput (queue → chDB) vs the engine's own ceiling").AppendLine();
            md.AppendLine($"{a.HitsPerRound:N0} generated hits per round: written into the host's transport while its aggregator runs (the harness's writing shares the cores), and into a queue filled first and then drained by an aggregator alone (a backlog), each timed until every hit was stored; then `INSERT ... SELECT` of the same rows, in the same run.").AppendLine();
            md.AppendLine("| path | hits/s (median) | rounds | target |").AppendLine("|---|---:|---|---|");
            md.AppendLine($"| aggregator, fed live: queue → batches → chDB | {a.Pipeline:N0} | {Join(a.PipelineHitsPerSecond)} | ≥ 200,000 |");
            md.AppendLine($"| aggregator, draining a backlog | {a.Backlog:N0} | {Join(a.BacklogHitsPerSecond)} | ≥ 200,000 |");
            md.AppendLine($"| storage write alone: HitStore (encode + insert), same batch size, no queue | {a.StoreOnly:N0} | {Join(a.StoreOnlyHitsPerSecond)} | |");
            md.AppendLine($"| engine ceiling: INSERT SELECT into a bare copy of hits | {a.Ceiling:N0} | {Join(a.CeilingHitsPerSecond)} | |");
            md.AppendLine($"| engine ceiling: INSERT SELECT into hits (with its views) | {a.CeilingWithViews:N0} | {Join(a.CeilingWithViewsHitsPerSecond)} | |").AppendLine();
            md.AppendLine($"Aggregator / engine ceiling with views: {(a.CeilingWithViews == 0 ? 0 : a.Pipeline / a.CeilingWithViews):0.00}x.").AppendLine();
            AppendBatchCosts(md, a);
        }
        if (r.Kafka is { } k)
        {
            AppendKafka(md, k);
        }
        foreach (var qs in r.Queries)
        {
            AppendQueries(md, qs);
        }
        if (r.Soak is { } soak)
        {
            md.AppendLine("## Soak").AppendLine();
            md.AppendLine($"{soak.Seconds:0} s of steady load at {soak.Rate:N0} req/s achieved; faults: {(soak.Faults.Count == 0 ? "none" : string.Join(", ", soak.Faults))}; p99 {soak.P99Ms:0.00} ms; load errors {soak.Errors}.").AppendLine();
            AppendDelivery(md, soak.Delivery);
        }
        if (r.Memory.Count > 0)
        {
            md.AppendLine("## Peak memory (RSS)").AppendLine();
            md.AppendLine("| process | peak RSS | target |").AppendLine("|---|---:|---|");
            foreach (var m in r.Memory)
            {
                md.AppendLine($"| {m.Process} | {m.PeakRssBytes / 1048576.0:N0} MB | {(m.Process == "collector" ? "< 300 MB" : "")} |");
            }
            md.AppendLine();
        }
        if (r.Notes.Count > 0)
        {
            md.AppendLine("## Notes").AppendLine();
            foreach (var note in r.Notes)
            {
                md.AppendLine("- " + note);
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    private static void AppendKafka(StringBuilder md, KafkaFigures k)
    {
        var e = k.EndToEnd;
        md.AppendLine("## Kafka transport end to end (collector role → mock cluster → aggregator role)").AppendLine();
        md.AppendLine($"`analytics collector` and `analytics aggregator` as processes of their own, the librdkafka mock cluster in the harness process, {k.Partitions} partitions. " +
            "wrk drives the collector role at full load while the aggregator role consumes behind it; CPU is read per process over the whole window, from the warm-up's start until the aggregator had read every accepted hit.").AppendLine();
        md.AppendLine("| figure | value |").AppendLine("|---|---:|");
        md.AppendLine($"| collector role, req/s (median of {e.Collector.Runs.Count} runs) | {e.Collector.RequestsPerSecond:N0} |");
        md.AppendLine($"| collector role, p50 / p99 ms | {e.Collector.P50Ms:0.00} / {e.Collector.P99Ms:0.00} |");
        md.AppendLine($"| hits accepted; load s; all read by the aggregator after s | {e.Accepted:N0}; {e.LoadSeconds:0.0}; {e.EndToEndSeconds:0.0}{(e.CaughtUp ? "" : " (**not caught up**)")} |");
        md.AppendLine($"| end to end, hits/s (accepted ÷ time until all read) | {e.HitsPerSecond:N0} |");
        md.AppendLine($"| CPU s per 1,000 hits: collector role | {e.CollectorCpuPer1000:0.0000} |");
        md.AppendLine($"| batches the aggregator role stored (offset commits); hits per batch | {e.Batches:N0}; {e.HitsPerBatch:N0} |");
        md.AppendLine($"| CPU s per 1,000 hits: aggregator role | {e.AggregatorCpuPer1000:0.0000} |");
        md.AppendLine($"| CPU s per 1,000 hits: harness process (mock brokers + polling) | {e.BrokerCpuPer1000:0.0000} |").AppendLine();
        var f = k.Freshness;
        md.AppendLine($"Freshness, beacon answered by the collector role → visible in the aggregator role's stats API: {f.Probes} probes under {f.LoadRate:N0} req/s, {f.Missed} not visible within 10 s; p50 {f.P50Ms:0} ms, p99 {f.P99Ms:0} ms, max {f.MaxMs:0} ms (target p99 < 2,000 ms).").AppendLine();
        md.AppendLine("| aggregator alone, fed through Kafka | hits/s (median) | rounds | aggregator CPU s / 1,000 hits | target |").AppendLine("|---|---:|---|---:|---|");
        md.AppendLine($"| {k.HitsPerRound:N0} generated hits produced into the topic packed per partition as a collector ships a backlog (at most {k.MaxLag:N0} unconsumed: 4 MiB per partition, the mock keeps ~5 MiB), timed until the stats API counts them | {k.Aggregator:N0} | {Join(k.AggregatorHitsPerSecond)} | {k.AggregatorCpu:0.0000} | ≥ 200,000 |").AppendLine();
    }

    private static void AppendQueries(StringBuilder md, QueryFigures qs)
    {
        md.AppendLine($"## Stats queries on {qs.Hits:N0} generated hits").AppendLine();
        md.AppendLine($"Generated by the engine: {qs.Hits:N0} hits in {qs.GenerateSeconds:0.0} s and the matching {qs.Visits:N0} visits (sessions table) in {qs.SessionsSeconds:0.0} s, " +
            "over the last 30 days (the comparison period before it is empty); every rollup view filled from those inserts. " +
            $"Merges still running when timing started: {qs.MergesAtStart}. Each query: one unmeasured run (its time is the first load column: it builds any stored window the next runs read), then up to 20 runs within about 10 s (at least 3); p99 is the nearest rank, so the maximum below 100 runs.").AppendLine();
        md.AppendLine("Target (issue 7): every dashboard query under 100 ms p50 on 10 M hits.").AppendLine();
        md.AppendLine("| query | sent as | planner read | p50 ms | p99 ms | first load ms | runs | under 100 ms |").AppendLine("|---|---|---|---:|---:|---:|---:|---|");
        foreach (var t in qs.Timings)
        {
            md.AppendLine(t.Runs == 0
                ? $"| {t.Name} | {t.Kind} | {t.Source} | failed | | | 0 | |"
                : $"| {t.Name} | {t.Kind} | {t.Source} | {t.MedianMs:0.0} | {t.P99Ms:0.0} | {t.FirstMs:0.0} | {t.Runs} | {(t.MedianMs < 100 ? "yes" : "**no**")} |");
        }
        md.AppendLine().AppendLine("Kinds: `stats API` is POST /api/v2/query over HTTP with an API key, exactly the body the dashboard sends; `planner (rollups)` and `raw hits + sessions` run the same query in-process through the planner, with and without rollups (issue 6); `planner, no windows` as `planner (rollups)` without the visitor windows (schema 0027: the spans alone).").AppendLine();
        md.AppendLine($"Tables (active parts): {string.Join("; ", qs.Tables)}.").AppendLine();
    }

    private static void AppendBatchCosts(StringBuilder md, AggregatorFigures a)
    {
        if (a.BatchCosts.Count == 0)
        {
            return;
        }
        md.AppendLine("### What a batch costs, by its size").AppendLine();
        md.AppendLine("The same number of generated hits written through the store (no queue) in batches of three sizes, each round; the CPU of the harness process (the store and the engine, with the merges its parts start) until the engine had no merge running. A live aggregator writes what one partition receives in `Aggregator:FlushInterval` as one batch.").AppendLine();
        md.AppendLine("| hits per batch | CPU ms per batch (median) | CPU s per 1,000 hits (median) | rounds: CPU ms per batch |").AppendLine("|---:|---:|---:|---|");
        foreach (var size in a.BatchCosts.GroupBy(c => c.Size).OrderBy(g => g.Key))
        {
            md.AppendLine($"| {size.Key:N0} | {Stat.Median(size.Select(c => c.CpuPerBatch * 1000)):N1} | {Stat.Median(size.Select(c => c.CpuPer1000Hits)):0.0000} | {string.Join(", ", size.Select(c => (c.CpuPerBatch * 1000).ToString("N1", CultureInfo.InvariantCulture)))} |");
        }
        md.AppendLine().AppendLine($"Least-squares fit over every round's live sizes (all but the largest): **{a.CpuPerBatch * 1000:N1} ms CPU per batch** whatever its size, plus **{a.CpuPerHit * 1e6:N1} µs per hit**.").AppendLine();
    }

    private static void AppendDelivery(StringBuilder md, DeliveryFigures d)
    {
        md.AppendLine("| beacons answered (load tools) | hits accepted (collector) | hits rejected (collector) | hits stored (chDB) | all stored (accepted = stored; in a soak also the exact check below) |");
        md.AppendLine("|---:|---:|---:|---:|---|");
        md.AppendLine($"| {d.BeaconsAnswered:N0} | {d.HitsAccepted:N0} | {d.HitsRejected:N0} | {d.HitsStored:N0} | {(d.AllStored ? "yes" : "**NO**")} |").AppendLine();
        if (d.Answered is { } a)
        {
            md.AppendLine("| answered 200 (distinct paths) | stored rows | stored distinct hit IDs | stored distinct paths | hits in the hourly rollup | answered not stored | answered ⊆ stored, no doubles, rollup agrees |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---|");
            md.AppendLine($"| {a.Answered:N0} | {a.StoredRows:N0} | {a.StoredDistinctHitIds:N0} | {a.StoredDistinctPaths:N0} | {a.RollupHits:N0} | {a.AnsweredMissing:N0} | {(a.Exact ? "yes" : "**NO**")} |").AppendLine();
        }
        if (d.Answered is { Visits: { } v } visited)
        {
            md.AppendLine("| visitors stored (returning, one visit each); with one hit | `sessions`: visits; pageviews; bounces; seconds; unmatched cancelling rows | hourly rollup: visits; bounces; seconds | one visit per visitor, every pageview in it |");
            md.AppendLine("|---|---|---|---|");
            md.AppendLine($"| {v.Visitors:N0}; {v.OneHitVisitors:N0} | {v.Visits:N0}; {v.Pageviews:N0}; {v.Bounces:N0}; {v.Duration:N0}; {v.Unmatched:N0} | {v.Rollup.Visits:N0}; {v.Rollup.Bounces:N0}; {v.Rollup.Duration:N0} | {(visited.VisitsAgree ? "yes" : "**NO**")} |").AppendLine();
        }
    }

    private static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)));

    private static string Gib(long bytes) => $"{bytes / 1073741824.0:0.0} GiB";
}
