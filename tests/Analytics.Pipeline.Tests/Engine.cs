using Analytics.ClickHouseHttp;
using Analytics.Pipeline.ClickHouse.ChDb;

namespace Analytics.Pipeline.Tests;

/// <summary>
/// The one chDB engine of this test process (the engine allows one data folder per process at a time).
/// Each test gets a database of its own from <see cref="NewDatabase"/>. The HTTP fixture that serves the
/// same engine to ClickHouse.Driver starts on first use.
/// </summary>
[SetUpFixture]
public sealed class Engine
{
    private static ChDbEngine? _engine;
    private static Lazy<Task<ChDbHttpServer>>? _http;

    public static ChDbEngine Shared => _engine ?? throw new InvalidOperationException("The engine fixture did not start.");

    public static string DataPath { get; } = Path.Combine(Path.GetTempPath(), "analytics-pipeline-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>ClickHouse's HTTP interface on 127.0.0.1, served by <see cref="Shared"/>.</summary>
    public static Task<ChDbHttpServer> HttpServerAsync() =>
        (_http ?? throw new InvalidOperationException("The engine fixture did not start.")).Value;

    public static EmbeddedClickHouse NewDatabase()
    {
        var database = "t_" + Guid.NewGuid().ToString("N");
        Shared.Query($"CREATE DATABASE {database}");
        return new EmbeddedClickHouse(Shared, database);
    }

    [OneTimeSetUp]
    public void Open()
    {
        _engine = ChDbEngine.Open(DataPath, DependencyCache.PathOf("chdb/libchdb.so"));
        _http = new Lazy<Task<ChDbHttpServer>>(() => ChDbHttpServer.StartAsync(Shared));
    }

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        if (_http is { IsValueCreated: true })
        {
            await (await _http.Value).DisposeAsync();
        }
        _engine?.Dispose();
        Directory.Delete(DataPath, recursive: true);
    }
}
