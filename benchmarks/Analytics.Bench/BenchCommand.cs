using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Analytics.Bench.Load;
using Analytics.Bench.Report;
using Analytics.Bench.Servers;
using Analytics.Bench.Soak;

namespace Analytics.Bench;

/// <summary>`analytics bench`: the load harness (loopback only, bounded), with a Markdown and a JSON report.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var defaults = new BenchSettings();
        var only = new Option<string[]>("--only") { Description = "Sections to run: beacon, latency, freshness, kafka, aggregator, queries (default: all)", AllowMultipleArgumentsPerToken = true };
        var duration = new Option<string>("--duration") { Description = "Length of each measured wrk run (e.g. 10s)" };
        var warmup = new Option<string>("--warmup") { Description = "Unmeasured wrk run per server before the rounds" };
        var repeats = new Option<int?>("--repeats") { Description = $"Interleaved rounds (default {defaults.Repeats})" };
        var connections = new Option<int?>("--connections") { Description = $"wrk connections (default {defaults.Connections})" };
        var threads = new Option<int?>("--threads") { Description = $"wrk threads (default {defaults.Threads})" };
        var visitors = new Option<int?>("--visitors") { Description = $"Returning visitors in the cookie pool (default {defaults.Visitors})" };
        var freshFor = new Option<string>("--freshness-duration") { Description = "How long the freshness probes run under steady load" };
        var freshRate = new Option<int?>("--freshness-rate") { Description = "Steady load during freshness probes, req/s (default: half the collector's maximum)" };
        var aggregatorHits = new Option<int?>("--aggregator-hits") { Description = $"Hits per aggregator round (default {defaults.AggregatorHits:N0})" };
        var queryHits = new Option<long[]>("--query-hits") { Description = $"Generated hits for the stats queries, repeatable: one site per size (default {defaults.QueryHits[0]:N0}; the issue's sizes: 10000000, 50000000)" };
        var soak = new Option<string>("--soak") { Description = "Soak mode: steady load for this long (e.g. 120s) with faults, then answered vs stored" };
        var soakRate = new Option<int?>("--soak-rate") { Description = $"Steady soak load, req/s (default {defaults.SoakRate})" };
        var faults = new Option<string[]>("--fault") { Description = "Fault to trigger during the soak, in turn: pause, command, kill-embedded; with --transport kafka also broker-down, kill-collector, kill-aggregator, slow-acks; repeatable" };
        var faultCommand = new Option<string>("--fault-command") { Description = "Shell command for the 'command' fault" };
        var healCommand = new Option<string>("--heal-command") { Description = "Shell command that heals the 'command' fault" };
        var transport = new Option<string>("--transport") { Description = "Collector transport: inprocess (default) or kafka (a librdkafka mock cluster run by the harness)" };
        var collectorArgs = new Option<string[]>("--collector-arg") { Description = "Extra argument for the collector's `analytics run` (repeatable), e.g. --collector-arg=--Section:Key=value" };
        var partitions = new Option<int?>("--partitions") { Description = $"Partitions of the hits topic on the harness's mock cluster (default {defaults.Partitions})" };
        var seed = new Option<int?>("--seed") { Description = "Seed of the request mix and generated data (default: random, printed)" };
        var report = new Option<string>("--report") { Description = "Markdown report path; the JSON report goes beside it (default bench-report.md)" };

        var command = new Command("bench", "Load harness on loopback: our collector against nginx empty_gif and bare Kestrel, aggregator vs engine ceiling, freshness, stats queries, memory; or a soak with faults.")
        {
            only, duration, warmup, repeats, connections, threads, visitors, freshFor, freshRate, aggregatorHits, queryHits,
            soak, soakRate, faults, faultCommand, healCommand, transport, collectorArgs, partitions, seed, report,
        };
        command.Subcommands.Add(GifServer());
        command.Subcommands.Add(AccessLogCommand());
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new BenchSettings
            {
                Sections = result.GetValue(only) is { Length: > 0 } sections
                    ? sections.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet()
                    : BenchSettings.AllSections,
                Duration = Seconds(result.GetValue(duration)) ?? defaults.Duration,
                Warmup = Seconds(result.GetValue(warmup)) ?? defaults.Warmup,
                Repeats = result.GetValue(repeats) ?? defaults.Repeats,
                Connections = result.GetValue(connections) ?? defaults.Connections,
                Threads = result.GetValue(threads) ?? defaults.Threads,
                Visitors = result.GetValue(visitors) ?? defaults.Visitors,
                FreshnessDuration = Seconds(result.GetValue(freshFor)) ?? defaults.FreshnessDuration,
                FreshnessRate = result.GetValue(freshRate) ?? defaults.FreshnessRate,
                AggregatorHits = result.GetValue(aggregatorHits) ?? defaults.AggregatorHits,
                QueryHits = result.GetValue(queryHits) is { Length: > 0 } sizes ? sizes : defaults.QueryHits,
                Soak = Seconds(result.GetValue(soak)),
                SoakRate = result.GetValue(soakRate) ?? defaults.SoakRate,
                Faults = result.GetValue(faults) ?? [],
                FaultCommand = result.GetValue(faultCommand),
                HealCommand = result.GetValue(healCommand),
                Transport = result.GetValue(transport) ?? defaults.Transport,
                CollectorArguments = result.GetValue(collectorArgs) ?? [],
                Partitions = result.GetValue(partitions) ?? defaults.Partitions,
                Seed = result.GetValue(seed) ?? defaults.Seed,
                ReportPath = result.GetValue(report) ?? defaults.ReportPath,
                CommandLine = "./analytics bench " + string.Join(' ', result.Tokens.Select(t => t.Value)),
            };
            var unknown = settings.Sections.Except(BenchSettings.AllSections).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"Unknown section(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", BenchSettings.AllSections)}");
                return 2;
            }
            if (FaultScenarios.Problem(settings.Faults, settings.UsesKafka) is { } problem)
            {
                Console.Error.WriteLine(problem);
                return 2;
            }
            var bench = await new BenchRunner(settings, Console.Out).RunAsync(cancellationToken);
            await WriteAsync(bench, settings.ReportPath, cancellationToken);
            Console.WriteLine($"Report: {Path.GetFullPath(settings.ReportPath)} and {Path.ChangeExtension(Path.GetFullPath(settings.ReportPath), ".json")}");
            return bench.Passed ? 0 : 1;
        });
        return command;
    }

    /// <summary>Writes the Markdown report and the JSON one beside it.</summary>
    public static async Task WriteAsync(BenchReport report, string markdownPath, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(markdownPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, MarkdownReport.Render(report), cancellationToken);
        await File.WriteAllTextAsync(Path.ChangeExtension(full, ".json"), JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport), cancellationToken);
    }

    /// <summary>The bare-Kestrel baseline server, started by the harness as a child process.</summary>
    private static Command GifServer()
    {
        var port = new Option<int>("--port") { Required = true };
        var command = new Command("gif-server", "Internal: the bare Kestrel baseline (answers /i.gif) for `analytics bench`.") { port };
        command.Hidden = true;
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var app = BareGifApp.Build(result.GetValue(port));
            await app.RunAsync();
            return 0;
        });
        return command;
    }

    /// <summary>A seeded Combined Log (the import tests' generator) for timing `analytics import` against other log analyzers on the same file.</summary>
    private static Command AccessLogCommand()
    {
        var output = new Option<string>("--out") { Description = "File to write (.gz for gzip)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
        var clients = new Option<int>("--clients") { Description = "Browsers (IP + user-agent)", DefaultValueFactory = _ => 20_000 };
        var requests = new Option<int>("--requests") { Description = "Requests per browser over three days", DefaultValueFactory = _ => 50 };
        var command = new Command("access-log", "Writes a seeded Combined Log Format access log (default 20,000 browsers x 50 requests = 1,000,005 lines with 5 broken ones), starting four days ago.")
        {
            output, seed, clients, requests,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var log = AccessLog.Generate(result.GetValue(seed), result.GetValue(clients), result.GetValue(requests));
            var path = await log.WriteAsync(result.GetValue(output)!);
            Console.WriteLine($"{path}: {log.Lines.Count:N0} lines, {log.ExpectedPageviews:N0} pageviews, {log.BadLines} broken lines (seed {result.GetValue(seed)})");
            return 0;
        });
        return command;
    }

    /// <summary>Parses 10s, 2m, 1h or plain seconds.</summary>
    internal static TimeSpan? Seconds(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var unit = value[^1];
        var number = char.IsAsciiDigit(unit) ? value : value[..^1];
        var amount = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromSeconds(amount),
        };
    }
}
