using System.Runtime.InteropServices;
using Analytics.Collector.Enrichment.UserAgents;

namespace Analytics.Benchmarks.Enrichment;

/// <summary>
/// The enrichment figures as thread CPU time (Linux CLOCK_THREAD_CPUTIME_ID) rather than wall time:
/// on a machine shared by many processes a wall-clock benchmark mostly measures waiting for a core.
/// Run with `-- enrichment-cpu`; it reuses the BenchmarkDotNet classes' setup.
/// </summary>
internal static partial class EnrichmentCpuTime
{
    private const int ThreadCpuClock = 3;

    private static readonly UrlScrubbingBenchmarks UrlScrubbing = new();

    public static void Run()
    {
        var enrichment = new HitEnrichmentBenchmarks();
        enrichment.Setup();
        Report("whole enrichment, direct visit (warm caches)", () => enrichment.Direct_visit());
        Report("whole enrichment, search visit with campaign (warm caches)", () => enrichment.Search_visit_with_campaign());
        enrichment.Cleanup();

        using var geo = new GeoLookupBenchmarks();
        geo.Setup();
        Report("geo lookup in GeoLite2-City, uncached", () => geo.Uncached_city_lookup());
        Report("geo lookup in GeoLite2-City, cached", () => geo.Cached_city_lookup());
        Report("URL scrubbing, clean path", () => UrlScrubbing.Clean_path());
        Report("URL scrubbing, path with e-mail and token", () => UrlScrubbing.Path_with_email_and_token());

        var classifier = UserAgentClassifier.Create(new UserAgentOptions());
        var strings = ConformanceStrings.Load();
        // Several passes, then a pause: the tiered JIT promotes the hot methods to optimized code in the background.
        for (var pass = 0; pass < 5; pass++)
        {
            foreach (var ua in strings)
            {
                classifier.DescribeUncached(ua);
            }
        }
        Thread.Sleep(1000);
        var perString = strings.Select(ua =>
        {
            var best = long.MaxValue;
            for (var i = 0; i < 3; i++)
            {
                var start = ThreadCpuNanoseconds();
                classifier.DescribeUncached(ua);
                best = Math.Min(best, ThreadCpuNanoseconds() - start);
            }
            return best / 1000.0;
        }).Order().ToList();
        Console.WriteLine($"uncached user-agent parse (uap-core + crawler patterns), {perString.Count} conformance strings: "
            + $"median {perString[perString.Count / 2]:F1} us, p90 {perString[perString.Count * 9 / 10]:F1} us, mean {perString.Average():F1} us CPU");
    }

    private static void Report(string name, Func<object> operation)
    {
        const int Batch = 20_000;
        for (var i = 0; i < 10 * Batch; i++)
        {
            operation();
        }
        var samples = new List<double>();
        for (var run = 0; run < 21; run++)
        {
            var start = ThreadCpuNanoseconds();
            for (var i = 0; i < Batch; i++)
            {
                operation();
            }
            samples.Add((ThreadCpuNanoseconds() - start) / (double)Batch);
        }
        samples.Sort();
        Console.WriteLine($"{name}: median {samples[samples.Count / 2]:F0} ns CPU per operation (21 runs of {Batch})");
    }

    private static long ThreadCpuNanoseconds()
    {
        ClockGetTime(ThreadCpuClock, out var time);
        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
