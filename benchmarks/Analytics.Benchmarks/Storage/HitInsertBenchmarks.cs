using System.Buffers;
using Analytics.ClickHouseHttp;
using Analytics.Pipeline;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.ChDb;
using Analytics.Pipeline.ClickHouse.Server;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks.Storage;

/// <summary>
/// One batch into ClickHouse with the whole schema (10 materialized views) in place, per transport: the
/// hits insert alone, and the aggregator's full write (hits, visits, batch ledger). "embedded" is chDB in
/// process; "server" is ClickHouse.Driver over HTTP to the same engine behind the test fixture
/// (fixtures/Analytics.ClickHouseHttp), so the difference is the HTTP transport's own cost.
/// Rows/s = Rows / mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class HitInsertBenchmarks
{
    private ChDbEngine _engine = null!;
    private ChDbHttpServer? _http;
    private IClickHouse _db = null!;
    private HitStore _store = null!;
    private SyntheticHits _source = null!;
    private List<Hit> _batch = [];
    private string _dataPath = "";
    private int _sequence;

    [Params(10_000, 50_000)]
    public int Rows { get; set; }

    [Params("embedded", "server")]
    public string Transport { get; set; } = "";

    [GlobalSetup]
    public void Open()
    {
        _dataPath = Path.Combine(Path.GetTempPath(), "analytics-bench-" + Guid.NewGuid().ToString("N"));
        _engine = ChDbEngine.Open(_dataPath, DependencyCache.PathOf("chdb/libchdb.so"));
        _engine.Query("CREATE DATABASE bench");
        if (Transport == "server")
        {
            _http = ChDbHttpServer.StartAsync(_engine).GetAwaiter().GetResult();
            _db = new ServerClickHouse(Options.Create(new ClickHouseOptions
            {
                Mode = ClickHouseMode.Server,
                ServerUrl = _http.Url.ToString(),
                Database = "bench",
            }), NullLogger<ServerClickHouse>.Instance);
        }
        else
        {
            _db = new EmbeddedClickHouse(_engine, "bench");
        }
        new SchemaMigrator(_db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        _store = new HitStore(_db);
        _source = new SyntheticHits(seed: 42);
    }

    [IterationSetup]
    public void NextBatch() => _batch = _source.Next(Rows);

    [Benchmark]
    public async Task Insert_hits()
    {
        var rows = new ArrayBufferWriter<byte>(Rows * 192);
        HitRowBinaryEncoder.Encode(_batch, rows, new RetentionOptions());
        await _db.InsertAsync($"bench.hits ({HitRowBinaryEncoder.Columns})", HitRowBinaryEncoder.Format, rows.WrittenMemory);
    }

    [Benchmark]
    public Task Write_batch_with_visits() =>
        _store.WriteAsync(new HitBatch(_batch, "bench/" + Interlocked.Increment(ref _sequence)), CancellationToken.None);

    [GlobalCleanup]
    public void Close()
    {
        (_db as IDisposable)?.Dispose();
        _http?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _engine.Dispose();
        Directory.Delete(_dataPath, recursive: true);
    }
}
