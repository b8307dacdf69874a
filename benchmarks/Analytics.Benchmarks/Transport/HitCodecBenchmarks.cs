using System.Buffers;
using System.Text.Json;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Transport;

/// <summary>The message encoding, chosen by this comparison: our binary v1 against plain JSON of the same hit.</summary>
[MemoryDiagnoser]
public class HitCodecBenchmarks
{
    private readonly Hit _hit = SampleHits.Pageview(1);
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private byte[] _binary = [];
    private byte[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        _binary = HitCodec.Encode(_hit);
        _json = JsonSerializer.SerializeToUtf8Bytes(_hit);
        Console.WriteLine($"// message size: binary {_binary.Length} B, JSON {_json.Length} B");
    }

    [Benchmark(Baseline = true)]
    public int Encode_binary()
    {
        _buffer.ResetWrittenCount();
        HitCodec.Encode(_hit, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Encode_json()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        JsonSerializer.Serialize(writer, _hit);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public Hit Decode_binary() => HitCodec.TryDecode(_binary, out var hit, out _) ? hit : throw new InvalidOperationException();

    [Benchmark]
    public Hit Decode_json() => JsonSerializer.Deserialize<Hit>(_json)!;
}
