using Analytics.Benchmarks.Storage;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks.Sessions;

/// <summary>
/// The aggregator's session step: six batches of 50,000 hits (the harness's `--aggregator-hits 300000`)
/// tracked by a fresh tracker, so it both opens visits (100,000 visitors) and continues them.
/// </summary>
[MemoryDiagnoser]
public class SessionTrackerBenchmarks
{
    private const int Rows = 50_000;

    private List<List<Hit>> _batches = [];

    [GlobalSetup]
    public void Build()
    {
        var source = new SyntheticHits(seed: 42);
        _batches = [.. Enumerable.Range(0, 6).Select(_ => source.Next(Rows))];
    }

    [Benchmark]
    public int Track_300k_hits()
    {
        var tracker = new SessionTracker(Options.Create(new SessionOptions()));
        var rows = 0;
        foreach (var batch in _batches)
        {
            rows += tracker.Track(batch).Count;
        }
        return rows;
    }
}
