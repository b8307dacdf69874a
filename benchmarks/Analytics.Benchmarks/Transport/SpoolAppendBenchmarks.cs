using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Transport;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Transport;

/// <summary>
/// Durable acknowledgement: <see cref="Concurrency"/> requests append a hit each at once and wait for
/// the group commit's fsync, as concurrent beacon requests do. Time is per hit; the hits per fsync
/// (group size) are printed at the end.
/// </summary>
[MemoryDiagnoser]
public class SpoolAppendBenchmarks
{
    private const int HitsPerInvoke = 1024;
    private readonly byte[] _message = HitCodec.Encode(SampleHits.Pageview(1));
    private string _path = "";
    private HitSpool _spool = null!;
    private Task[] _writers = [];

    [Params(1, 16, 64)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), "spool-bench-" + Guid.NewGuid().ToString("N"));
        _spool = HitSpool.Open(new SpoolOptions { Path = _path });
        _writers = new Task[Concurrency];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// concurrency {Concurrency}: {_spool.Appended} hits, {_spool.Fsyncs} fsyncs, {(double)_spool.Appended / _spool.Fsyncs:F1} hits per fsync");
        _spool.Dispose();
        Directory.Delete(_path, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = HitsPerInvoke)]
    public async Task Append_with_group_commit()
    {
        for (var round = 0; round < HitsPerInvoke / Concurrency; round++)
        {
            for (var i = 0; i < _writers.Length; i++)
            {
                _writers[i] = _spool.AppendAsync(_message, CancellationToken.None).AsTask();
            }
            await Task.WhenAll(_writers);
        }
        // Keeps the spool from growing without bound across iterations.
        var records = new List<SpoolRecord>();
        while (_spool.Read(records, 100_000) > 0)
        {
            _spool.Acknowledge(records[^1].End);
            records.Clear();
        }
    }
}
