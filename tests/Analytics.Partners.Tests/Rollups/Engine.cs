using Analytics.Pipeline;
using Analytics.Pipeline.ClickHouse.ChDb;
using Analytics.Pipeline.Schema;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Partners.Tests.Rollups;

/// <summary>
/// The one chDB engine of this test process, opened only for the tests in this namespace (the engine allows
/// one data folder per process). Each test gets a migrated database of its own.
/// </summary>
[SetUpFixture]
public sealed class Engine
{
    private static ChDbEngine? _engine;

    private static string DataPath { get; } = Path.Combine(Path.GetTempPath(), "analytics-partners-tests-" + Guid.NewGuid().ToString("N"));

    public static async Task<EmbeddedClickHouse> NewDatabaseAsync()
    {
        var engine = _engine ?? throw new InvalidOperationException("The engine fixture did not start.");
        var db = new EmbeddedClickHouse(engine, "t_" + Guid.NewGuid().ToString("N"));
        await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return db;
    }

    [OneTimeSetUp]
    public void Open() => _engine = ChDbEngine.Open(DataPath, DependencyCache.PathOf("chdb/libchdb.so"));

    [OneTimeTearDown]
    public void Close()
    {
        _engine?.Dispose();
        Directory.Delete(DataPath, recursive: true);
    }
}
