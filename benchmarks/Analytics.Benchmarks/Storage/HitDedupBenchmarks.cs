using Analytics.Pipeline;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.ChDb;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// The aggregator's exactly-once lookup per batch (<see cref="HitDeduplicator"/>) on chDB, with a million
/// hits stored before: a live batch (timestamps after the stored ones: nothing found) and a replayed
/// batch (every hit found). Compare with <see cref="HitInsertBenchmarks"/>' Write_batch_with_visits of
/// the same size, the write the lookup precedes.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class HitDedupBenchmarks
{
    private ChDbEngine _engine = null!;
    private IClickHouse _db = null!;
    private SyntheticHits _source = null!;
    private List<Hit> _stored = [];
    private List<Hit> _live = [];
    private string _dataPath = "";

    [Params(10_000, 50_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Open()
    {
        _dataPath = Path.Combine(Path.GetTempPath(), "analytics-bench-" + Guid.NewGuid().ToString("N"));
        _engine = ChDbEngine.Open(_dataPath, DependencyCache.PathOf("chdb/libchdb.so"));
        _engine.Query("CREATE DATABASE bench");
        _db = new EmbeddedClickHouse(_engine, "bench");
        new SchemaMigrator(_db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        var store = new HitStore(_db);
        _source = new SyntheticHits(seed: 42);
        for (var i = 0; i < 1_000_000 / 50_000; i++)
        {
            _stored = _source.Next(50_000);
            store.WriteAsync(new HitBatch(_stored, "bench/" + i), CancellationToken.None).GetAwaiter().GetResult();
        }
        _stored = _stored[^Rows..];
    }

    [IterationSetup]
    public void NextBatch() => _live = _source.Next(Rows);

    [Benchmark]
    public Task<IReadOnlyList<Hit>> Lookup_live_batch() => new HitDeduplicator(_db).FreshAsync(_live, _live, CancellationToken.None);

    [Benchmark]
    public Task<IReadOnlyList<Hit>> Lookup_replayed_batch() => new HitDeduplicator(_db).FreshAsync(_stored, _stored, CancellationToken.None);

    [GlobalCleanup]
    public void Close()
    {
        _engine.Dispose();
        Directory.Delete(_dataPath, recursive: true);
    }
}
