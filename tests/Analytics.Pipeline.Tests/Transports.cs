using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.Server;
using Analytics.Pipeline.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Tests;

/// <summary>
/// The two ways to reach ClickHouse, for storage tests that must pass on both: the embedded engine, and
/// ClickHouse.Driver over HTTP. The server is the chDB-backed HTTP fixture unless
/// ANALYTICS_TEST_CLICKHOUSE_URL points at a real ClickHouse server (e.g. http://127.0.0.1:8123).
/// </summary>
public static class Transports
{
    public const string EnvironmentVariable = "ANALYTICS_TEST_CLICKHOUSE_URL";

    /// <summary>For [TestFixtureSource]: one fixture per transport.</summary>
    public static IEnumerable<ClickHouseMode> All { get; } = [ClickHouseMode.Embedded, ClickHouseMode.Server];

    /// <summary>A new, empty database reached through <paramref name="mode"/>.</summary>
    public static async Task<IClickHouse> NewDatabaseAsync(ClickHouseMode mode)
    {
        if (mode == ClickHouseMode.Embedded)
        {
            return Engine.NewDatabase();
        }
        var database = "t_" + Guid.NewGuid().ToString("N");
        var server = Server(database, await ServerUrlAsync());
        await server.ExecuteAsync($"CREATE DATABASE {database}");
        return server;
    }

    /// <summary>A new database with the shipped schema applied.</summary>
    public static async Task<IClickHouse> NewMigratedDatabaseAsync(ClickHouseMode mode)
    {
        var db = await NewDatabaseAsync(mode);
        await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return db;
    }

    /// <summary>A server transport for <paramref name="url"/> with quick retries (tests wait for nothing).</summary>
    public static ServerClickHouse Server(string database, string url, int maxRetries = 2) =>
        new(Options.Create(new ClickHouseOptions
        {
            Mode = ClickHouseMode.Server,
            ServerUrl = url,
            Database = database,
            MaxRetries = maxRetries,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            Timeout = TimeSpan.FromSeconds(30),
        }), NullLogger<ServerClickHouse>.Instance);

    public static async Task<string> ServerUrlAsync() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } url ? url : (await Engine.HttpServerAsync()).Url.ToString();
}
