using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Transport;

/// <summary>The aggregator's side per hit: decode each message and build the batch handed to storage.</summary>
[MemoryDiagnoser]
public class ConsumerBatchBenchmarks
{
    private const int BatchSize = 10_000;
    private readonly byte[][] _messages = Enumerable.Range(0, BatchSize).Select(i => HitCodec.Encode(SampleHits.Pageview(i))).ToArray();

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public HitBatch Decode_and_build_batch()
    {
        var hits = new List<Hit>(BatchSize);
        foreach (var message in _messages)
        {
            if (HitCodec.TryDecode(message, out var hit, out _))
            {
                hits.Add(hit);
            }
        }
        return new HitBatch(hits, "bench/0/0-9999");
    }
}
