using Analytics.Pipeline.ClickHouse.ChDb;

namespace Analytics.Pipeline.Tests;

/// <summary>
/// The one chDB engine of this test process (the engine allows one data folder per process at a time).
/// Each test gets a database of its own from <see cref="NewDatabase"/>.
/// </summary>
[SetUpFixture]
public sealed class Engine
{
    private static ChDbEngine? _engine;

    public static ChDbEngine Shared => _engine ?? throw new InvalidOperationException("The engine fixture did not start.");

    public static string DataPath { get; } = Path.Combine(Path.GetTempPath(), "analytics-pipeline-tests-" + Guid.NewGuid().ToString("N"));

    public static EmbeddedClickHouse NewDatabase()
    {
        var database = "t_" + Guid.NewGuid().ToString("N");
        Shared.Query($"CREATE DATABASE {database}");
        return new EmbeddedClickHouse(Shared, database);
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
