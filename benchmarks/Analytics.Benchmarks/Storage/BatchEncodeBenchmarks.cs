using System.Buffers;
using Analytics.Pipeline;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// Building one batch for ClickHouse in .NET, before the engine sees it: the hits' RowBinary rows, and the
/// visit rows the session tracker made of a batch following 100 earlier ones (about 1.5 per hit, most of
/// them a -1/+1 pair). The aggregator does this for the next batch while the engine writes the current one.
/// </summary>
[MemoryDiagnoser]
public class BatchEncodeBenchmarks
{
    private const int Rows = 50_000;

    private readonly RetentionOptions _retention = new();
    private List<Hit> _hits = [];
    private IReadOnlyList<SessionRow> _visits = [];
    private ArrayBufferWriter<byte> _output = null!;

    [GlobalSetup]
    public void Build()
    {
        var source = new SyntheticHits(seed: 42);
        var tracker = new SessionTracker(Options.Create(new SessionOptions()));
        for (var i = 0; i < 100; i++)
        {
            tracker.Track(source.Next(Rows));
        }
        _hits = source.Next(Rows);
        _visits = tracker.Track(_hits);
        _output = new ArrayBufferWriter<byte>(Math.Max(_hits.Count, _visits.Count) * 192);
    }

    [Benchmark]
    public int Encode_hits()
    {
        _output.ResetWrittenCount();
        HitRowBinaryEncoder.Encode(_hits, _output, _retention);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Encode_visits()
    {
        _output.ResetWrittenCount();
        SessionRowBinaryEncoder.Encode(_visits, _output, _retention);
        return _output.WrittenCount;
    }
}
