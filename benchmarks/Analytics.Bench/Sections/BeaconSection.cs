using Analytics.Bench.Load;
using Analytics.Bench.Processes;
using Analytics.Bench.Report;
using Analytics.Bench.Servers;

namespace Analytics.Bench.Sections;

/// <summary>
/// Beacon throughput and latency: every server gets the same wrk mix at the same connection count, in
/// rounds whose order rotates (so drift on a shared machine hits every server alike); CPU seconds are
/// read from each server's process tree around each run.
/// </summary>
public sealed class BeaconSection(BenchSettings settings, BeaconMix mix, string workDirectory, TextWriter log)
{
    private readonly Dictionary<string, string> _scripts = [];
    private readonly Dictionary<string, IReadOnlyList<string>> _cookies = [];
    private readonly Dictionary<string, long> _answered = [];

    /// <summary>Beacons each server answered with a 2xx/3xx during this run (cookie harvest, warm-up, measured and steady runs, probes).</summary>
    public long Answered(string key) => _answered.GetValueOrDefault(key);

    public void AddAnswered(string key, long count) => _answered[key] = Answered(key) + count;

    /// <summary>Harvests each server's cookies and writes its wrk script; call once per server before any run.</summary>
    public async Task PrepareAsync(IServerUnderTest server, CancellationToken cancellationToken)
    {
        _cookies[server.Key] = await CookieHarvester.HarvestAsync(server.BaseUrl, mix, cancellationToken);
        AddAnswered(server.Key, mix.Visitors);
        _scripts[server.Key] = await WriteScriptAsync(server.Key, 0, cancellationToken);
    }

    public async Task<List<ServerFigures>> RunAsync(IReadOnlyList<IServerUnderTest> servers, CancellationToken cancellationToken)
    {
        foreach (var server in servers)
        {
            log.WriteLine($"  warm-up {server.Key} ({settings.Warmup.TotalSeconds:0}s)");
            var warmup = await WrkRunner.RunAsync(server.BaseUrl, _scripts[server.Key], settings.Threads, settings.Connections, settings.Warmup, cancellationToken);
            AddAnswered(server.Key, warmup.Answered);
        }
        var figures = servers.Select(s => new ServerFigures(s.Key, s.Description, [])).ToList();
        for (var round = 1; round <= settings.Repeats; round++)
        {
            for (var j = 0; j < servers.Count; j++)
            {
                var index = (j + round - 1) % servers.Count;
                var run = await MeasureAsync(servers[index], round, cancellationToken);
                figures[index].Runs.Add(run);
                log.WriteLine($"  round {round} {servers[index].Key,-9} {run.RequestsPerSecond,9:N0} req/s  p50 {run.P50Ms:0.00} ms  p99 {run.P99Ms:0.00} ms  {run.CpuSecondsPer1000 * 1000:0.0} µs CPU/req  errors {run.Errors}");
            }
        }
        return figures;
    }

    /// <summary>
    /// Steady load at about <paramref name="rate"/> requests/s for <paramref name="duration"/>: wrk with a fixed
    /// pause per request on each connection. Short calibration runs first size the connection count, since
    /// each connection's rate also depends on the server's latency at that load.
    /// </summary>
    public async Task<(WrkResult Result, int Connections)> SteadyAsync(IServerUnderTest server, double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        // A short pause keeps the connection count near the throughput runs' (--connections), so "80 % of
        // the maximum" is measured with the load shape that maximum was measured with. With a 10 ms pause it
        // took about 470 connections, whose own cost (wrk's and the server's) saturated the two cores
        // before the target rate was reached.
        const int pauseMs = 1;
        const int calibrationRuns = 3;
        var script = await WriteScriptAsync(server.Key, pauseMs, cancellationToken);
        var connections = Connections(rate * (pauseMs + 1) / 1000);
        var sized = new List<double>();
        for (var run = 0; run < calibrationRuns; run++)
        {
            var calibration = await WrkRunner.RunAsync(server.BaseUrl, script, settings.Threads, connections, TimeSpan.FromSeconds(2), cancellationToken);
            AddAnswered(server.Key, calibration.Answered);
            connections = Connections(NextConnections(connections, rate, calibration.RequestsPerSecond));
            sized.Add(connections);
        }
        // One calibration run that met a disk stall would size for it alone: the median of the runs' sizes
        // keeps the count (and so the p99 it gives) comparable from run to run.
        connections = Connections(Stat.Median(sized));
        var result = await WrkRunner.RunAsync(server.BaseUrl, script, settings.Threads, connections, duration, cancellationToken);
        AddAnswered(server.Key, result.Answered);
        return (result, connections);
    }

    /// <summary>
    /// The connection count for <paramref name="rate"/>, from a run of <paramref name="connections"/> that
    /// achieved <paramref name="achieved"/> requests/s; one run may at most halve or double it.
    /// </summary>
    public static double NextConnections(int connections, double rate, double achieved) =>
        achieved > 0 ? connections * Math.Clamp(rate / achieved, 0.5, 2) : connections * 2;

    private int Connections(double wanted) => Math.Clamp((int)Math.Round(wanted), settings.Threads, 2000);

    private async Task<BeaconRun> MeasureAsync(IServerUnderTest server, int round, CancellationToken cancellationToken)
    {
        var cpuBefore = ProcessStats.TreeCpuSeconds(server.Pid);
        var result = await WrkRunner.RunAsync(server.BaseUrl, _scripts[server.Key], settings.Threads, settings.Connections, settings.Duration, cancellationToken);
        var cpu = ProcessStats.TreeCpuSeconds(server.Pid) - cpuBefore;
        AddAnswered(server.Key, result.Answered);
        return new BeaconRun(
            round,
            result.RequestsPerSecond,
            result.P50Microseconds / 1000.0,
            result.P99Microseconds / 1000.0,
            result.Requests == 0 ? 0 : cpu / result.Requests * 1000,
            result.Requests,
            result.Errors);
    }

    private async Task<string> WriteScriptAsync(string key, int delayMs, CancellationToken cancellationToken)
    {
        var path = Path.Combine(workDirectory, $"{key}-{delayMs}.lua");
        await File.WriteAllTextAsync(path, WrkScript.Build(mix, _cookies[key], delayMs), cancellationToken);
        return path;
    }
}
