using System.Buffers;
using Analytics.Pipeline;
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
/// One batch into embedded chDB with the whole schema (10 materialized views) in place: the hits insert
/// alone, per encoding, and the aggregator's full write (hits, visits, batch ledger). Rows/s = Rows / mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class HitInsertBenchmarks
{
    private ChDbEngine _engine = null!;
    private EmbeddedClickHouse _db = null!;
    private HitStore _store = null!;
    private SyntheticHits _source = null!;
    private List<Hit> _batch = [];
    private string _dataPath = "";
    private int _sequence;

    [Params(10_000, 50_000)]
    public int Rows { get; set; }

    [Params("JSONEachRow", "RowBinary")]
    public string Format { get; set; } = "";

    [GlobalSetup]
    public void Open()
    {
        _dataPath = Path.Combine(Path.GetTempPath(), "analytics-bench-" + Guid.NewGuid().ToString("N"));
        _engine = ChDbEngine.Open(_dataPath, DependencyCache.PathOf("chdb/libchdb.so"));
        _engine.Query("CREATE DATABASE bench");
        _db = new EmbeddedClickHouse(_engine, "bench");
        new SchemaMigrator(_db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        _store = new HitStore(_db) { HitFormat = Format };
        _source = new SyntheticHits(seed: 42);
    }

    [IterationSetup]
    public void NextBatch() => _batch = _source.Next(Rows);

    [Benchmark]
    public async Task Insert_hits()
    {
        var rows = new ArrayBufferWriter<byte>(Rows * 400);
        var retention = new RetentionOptions();
        if (Format == HitRowBinaryEncoder.Format)
        {
            HitRowBinaryEncoder.Encode(_batch, rows, retention);
            await _db.InsertAsync($"bench.hits ({HitRowBinaryEncoder.Columns})", Format, rows.WrittenMemory);
        }
        else
        {
            HitRowsEncoder.Encode(_batch, rows, retention);
            await _db.InsertAsync("bench.hits", Format, rows.WrittenMemory);
        }
    }

    [Benchmark]
    public Task Write_batch_with_visits() =>
        _store.WriteAsync(new HitBatch(_batch, "bench/" + Interlocked.Increment(ref _sequence)), CancellationToken.None);

    [GlobalCleanup]
    public void Close()
    {
        _engine.Dispose();
        Directory.Delete(_dataPath, recursive: true);
    }
}
