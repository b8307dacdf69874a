using System.Diagnostics;
using Analytics.Bench.Processes;
using Analytics.Bench.Report;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;

namespace Analytics.Bench.Sections;

/// <summary>
/// What a stored batch costs in CPU by its size: the same number of generated hits written through the store in
/// batches of three sizes, the CPU of this process (the store's .NET side and the engine, with the background
/// merges the parts start) counted until the engine has no merge running. A live aggregator cuts a batch per
/// partition every <c>Aggregator:FlushInterval</c>, so its batches are what one partition receives in that
/// time; the fit (a cost per batch plus a cost per hit) says what that costs at any rate.
/// </summary>
public static class BatchCost
{
    /// <summary>How long the engine's merges get to finish after a size's last batch.</summary>
    private static readonly TimeSpan MergesDeadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Writes <paramref name="hitsPerSize"/> hits in batches of a hundredth, a twentieth and all of that number (the
    /// first two the sizes of live batches, the last a backlog's), each size on a site of its own (named from
    /// <paramref name="site"/>), smallest first.
    /// </summary>
    public static async Task<List<BatchCostFigure>> MeasureAsync(HitStore store, IClickHouse clickHouse, int hitsPerSize, string site, int seed, TextWriter log, CancellationToken cancellationToken)
    {
        var figures = new List<BatchCostFigure>();
        foreach (var size in new[] { hitsPerSize / 100, hitsPerSize / 20, hitsPerSize })
        {
            var hits = HitGenerator.Create(hitsPerSize, $"{site}-{size}", seed, DateTime.UtcNow.Date.AddDays(-1));
            await MergesDoneAsync(clickHouse, cancellationToken);
            var cpu = ProcessStats.CpuSeconds(Environment.ProcessId) ?? 0;
            var started = Stopwatch.GetTimestamp();
            var batches = 0;
            foreach (var chunk in hits.Chunk(size))
            {
                await store.WriteAsync(new HitBatch(chunk), cancellationToken);
                batches++;
            }
            var writeSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            await MergesDoneAsync(clickHouse, cancellationToken);
            var cpuSeconds = (ProcessStats.CpuSeconds(Environment.ProcessId) ?? 0) - cpu;
            var figure = new BatchCostFigure(size, batches, cpuSeconds, writeSeconds);
            figures.Add(figure);
            log.WriteLine($"    batches of {size:N0}: {batches} batches, {figure.CpuPerBatch * 1000:N1} ms CPU per batch, {figure.CpuPer1000Hits:0.0000} CPU s per 1,000 hits, written at {hitsPerSize / writeSeconds:N0} hits/s");
        }
        return figures;
    }

    /// <summary>Waits, up to <see cref="MergesDeadline"/>, until the engine has run no merge for two polls in a row.</summary>
    private static async Task MergesDoneAsync(IClickHouse clickHouse, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(MergesDeadline.TotalSeconds * Stopwatch.Frequency);
        var quiet = 0;
        while (quiet < 2 && Stopwatch.GetTimestamp() < deadline)
        {
            var running = System.Text.Encoding.UTF8.GetString(await clickHouse.QueryAsync("SELECT count() FROM system.merges", "TabSeparated", cancellationToken: cancellationToken)).Trim();
            quiet = running == "0" ? quiet + 1 : 0;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }
}
