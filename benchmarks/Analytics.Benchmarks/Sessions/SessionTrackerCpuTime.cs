using System.Diagnostics;

namespace Analytics.Benchmarks.Sessions;

/// <summary>
/// <see cref="SessionTrackerBenchmarks"/> as process CPU time (every thread, the garbage collector's too) and
/// collections per run: on a machine shared by many processes a wall-clock benchmark mostly measures
/// waiting for a core. Run with `-- session-tracker-cpu`.
/// </summary>
internal static class SessionTrackerCpuTime
{
    private const int Runs = 12;

    public static void Run()
    {
        var benchmark = new SessionTrackerBenchmarks();
        benchmark.Build();
        // Warm-up passes, then a pause: the tiered JIT promotes the hot methods to optimized code in the background.
        for (var pass = 0; pass < 3; pass++)
        {
            benchmark.Track_300k_hits();
        }
        Thread.Sleep(1000);
        var process = Process.GetCurrentProcess();
        var cpu = new List<double>();
        var wall = new List<double>();
        var collections = new List<int>();
        for (var run = 0; run < Runs; run++)
        {
            GC.Collect();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var gcBefore = GC.CollectionCount(0);
            var clock = Stopwatch.StartNew();
            benchmark.Track_300k_hits();
            wall.Add(clock.Elapsed.TotalMilliseconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            collections.Add(GC.CollectionCount(0) - gcBefore);
        }
        cpu.Sort();
        wall.Sort();
        Console.WriteLine($"Track_300k_hits, {Runs} runs: process CPU min {cpu[0]:F0} ms, median {cpu[Runs / 2]:F0} ms; "
            + $"wall min {wall[0]:F0} ms, median {wall[Runs / 2]:F0} ms; collections per run {collections.Average():F1}");
    }
}
