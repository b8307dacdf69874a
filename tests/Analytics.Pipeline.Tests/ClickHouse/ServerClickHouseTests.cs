using System.Net;
using System.Net.Sockets;
using System.Text;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Pipeline.Tests.ClickHouse;

/// <summary>ClickHouse.Driver against ClickHouse's HTTP interface (the chDB-backed fixture, or a real server).</summary>
public class ServerClickHouseTests
{
    [Test]
    public async Task A_query_returns_its_output_in_the_asked_format()
    {
        var db = await Transports.NewDatabaseAsync(ClickHouseMode.Server);

        var output = await db.QueryAsync("SELECT 40 + 2 AS answer", "JSONEachRow");

        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo("{\"answer\":42}\n"));
    }

    [Test]
    public async Task Bound_parameters_are_data_not_sql()
    {
        var db = await Transports.NewDatabaseAsync(ClickHouseMode.Server);
        const string hostile = "x' OR 1=1 --\t\\ \n ü";

        var output = await db.QueryAsync("SELECT {v:String} AS v, {id:UUID} AS id", "JSONEachRow",
            new Dictionary<string, string> { ["v"] = hostile, ["id"] = "0190f3a2-0000-7000-8000-000000000001" });

        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo("{\"v\":\"x' OR 1=1 --\\t\\\\ \\n ü\",\"id\":\"0190f3a2-0000-7000-8000-000000000001\"}\n"));
    }

    [Test]
    public async Task A_bad_query_becomes_a_clear_exception()
    {
        var db = await Transports.NewDatabaseAsync(ClickHouseMode.Server);

        var error = Assert.ThrowsAsync<ClickHouseException>(() => db.QueryAsync("SELEC 1", "TabSeparated"));

        Assert.That(error!.Message, Does.Contain("Syntax error"));
    }

    [Test]
    public async Task Rows_inserted_with_a_token_twice_are_stored_once()
    {
        var db = await Transports.NewDatabaseAsync(ClickHouseMode.Server);
        await db.ExecuteAsync($"CREATE TABLE {db.Database}.n (x UInt64) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 100");
        var rows = Encoding.UTF8.GetBytes("{\"x\":1}\n{\"x\":2}\n");

        await db.InsertAsync($"{db.Database}.n", "JSONEachRow", rows, "token-1");
        await db.InsertAsync($"{db.Database}.n", "JSONEachRow", rows, "token-1");
        await db.InsertAsync($"{db.Database}.n", "JSONEachRow", rows, "token-2");

        Assert.That(Encoding.UTF8.GetString(await db.QueryAsync($"SELECT count(), sum(x) FROM {db.Database}.n", "TabSeparated")), Is.EqualTo("4\t6\n"));
    }

    [Test]
    public async Task Inserts_and_results_travel_compressed()
    {
        Assume.That(Environment.GetEnvironmentVariable(Transports.EnvironmentVariable), Is.Null.Or.Empty, "counts what the fixture saw");
        var db = await Transports.NewDatabaseAsync(ClickHouseMode.Server);
        await db.ExecuteAsync($"CREATE TABLE {db.Database}.n (x UInt64) ENGINE = MergeTree ORDER BY x");
        var fixture = await Engine.HttpServerAsync();
        var before = fixture.Compressed;

        await db.InsertAsync($"{db.Database}.n", "JSONEachRow", "{\"x\":1}\n"u8.ToArray());
        var output = await db.QueryAsync($"SELECT x FROM {db.Database}.n", "TabSeparated");

        Assert.That(Encoding.UTF8.GetString(output), Is.EqualTo("1\n"));
        Assert.That(fixture.Compressed.Requests, Is.GreaterThan(before.Requests));
        Assert.That(fixture.Compressed.Responses, Is.GreaterThan(before.Responses));
    }

    [Test]
    public void A_server_that_is_down_becomes_a_clear_exception_after_the_retries()
    {
        var url = $"http://127.0.0.1:{UnusedPort()}/";
        var db = Transports.Server("analytics", url, maxRetries: 2);

        var error = Assert.ThrowsAsync<ClickHouseException>(() => db.InsertAsync("analytics.hits", "JSONEachRow", "{}\n"u8.ToArray(), "token"));

        Assert.That(error!.Message, Does.Contain(url).And.Contain("3 attempt(s)"));
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
