using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using BenchmarkDotNet.Attributes;
using Confluent.Kafka;

namespace Analytics.Benchmarks.Transport;

/// <summary>
/// The producer path per hit: encode, derive the key, hand to librdkafka (Produce with a delivery
/// handler, as the shipper does). The broker is librdkafka's in-process mock cluster, so this measures
/// our side and the client's enqueue, not a network.
/// </summary>
[MemoryDiagnoser]
public class ProducerPathBenchmarks
{
    private const int Batch = 1000;
    private readonly Hit[] _hits = Enumerable.Range(0, Batch).Select(SampleHits.Pageview).ToArray();
    private readonly Action<DeliveryReport<byte[], byte[]>> _delivered = _ => { };
    private IProducer<byte[], byte[]> _producer = null!;

    [GlobalSetup]
    public void Setup() => _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig(new Dictionary<string, string>
    {
        // Starts a mock cluster inside this client: the real protocol on 127.0.0.1, data in memory.
        ["test.mock.num.brokers"] = "1",
    })
    {
        EnableIdempotence = true,
        Acks = Acks.All,
        CompressionType = CompressionType.Lz4,
        LingerMs = 2,
    }).Build();

    [GlobalCleanup]
    public void Cleanup()
    {
        _producer.Flush(TimeSpan.FromSeconds(30));
        _producer.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Encode_and_produce()
    {
        foreach (var hit in _hits)
        {
            var value = HitCodec.Encode(hit);
            _producer.Produce("bench.hits", new Message<byte[], byte[]> { Key = HitCodec.KeyOf(value), Value = value }, _delivered);
        }
        // Keeps librdkafka's queue bounded across iterations (the shipper bounds it by MaxInFlight).
        _producer.Flush(TimeSpan.FromSeconds(30));
    }
}
