using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Schema;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Pipeline.Tests.Schema;

[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class SchemaShapeTests(ClickHouseMode mode)
{
    [Test]
    public async Task Every_shipped_statement_can_run_twice()
    {
        var db = await Transports.NewDatabaseAsync(mode);

        foreach (var statement in SchemaMigrator.Shipped.SelectMany(m => m.Statements(db.Database)))
        {
            await db.ExecuteAsync(statement);
            await db.ExecuteAsync(statement);
        }

        // Twelve rollups: rollup_visitor_spans, emptied by 0019 (its rows moved to rollup_visitor_spans_fine), is one too.
        Assert.That(await TablesAsync(db, "name LIKE 'rollup_%' AND engine = 'AggregatingMergeTree'"), Has.Count.EqualTo(12));
    }

    [Test]
    public async Task No_rollup_has_a_column_that_holds_a_visitor_id()
    {
        var db = await MigratedAsync();

        var columns = await ColumnsAsync(db, "table LIKE 'rollup_%'");

        Assert.That(columns, Is.Not.Empty);
        Assert.That(columns, Has.None.Contains("visitor_id").And.None.Contains("session_id").And.None.Contains("hit_id"));
    }

    [Test]
    public async Task No_table_has_a_column_for_an_ip_a_user_agent_or_a_personal_identifier()
    {
        var db = await MigratedAsync();

        var columns = await ColumnsAsync(db, "1");

        Assert.That(columns, Has.None.Match(@"\.(ip|ip_address|client_ip|remote_addr|user_agent|ua|email|e_mail|user_name|full_name|first_name|last_name|user_id|account)$"));
    }

    [Test]
    public async Task Every_table_that_keeps_visitor_states_stores_a_new_part_wide()
    {
        var db = await MigratedAsync();
        var tables = await TablesAsync(db, "engine LIKE '%MergeTree' AND name IN (SELECT table FROM system.columns WHERE database = {db:String} AND type LIKE 'AggregateFunction%')");
        // Nine rollups, the two no longer written (rollup_pages_daily, rollup_visitor_spans), visitor_windows and page_windows.
        Assert.That(tables, Does.Contain("rollup_visitor_spans_fine").And.Contain("visitor_windows").And.Contain("page_windows").And.Count.EqualTo(13));

        foreach (var table in tables)
        {
            // One row of now: a part of a few bytes, which the engine's default (10 MB uncompressed) stores Compact.
            var time = (await ColumnsAsync(db, $"table = '{table}' AND name IN ('day', 'hour', 'built')")).Single()[(table.Length + 1)..];
            var now = time switch { "day" => "today()", "hour" => "toStartOfHour(now())", _ => "now64()" };
            await db.ExecuteAsync($"INSERT INTO {db.Database}.{table} (site_id, {time}) VALUES ('wide-parts', {now})");
            var parts = Lines(await db.QueryAsync("SELECT part_type FROM system.parts WHERE database = {db:String} AND table = {table:String} AND active", "TabSeparated",
                new Dictionary<string, string> { ["db"] = db.Database, ["table"] = table }));
            Assert.That(parts, Is.Not.Empty.And.All.EqualTo("Wide"), table);
        }
    }

    private Task<IClickHouse> MigratedAsync() => Transports.NewMigratedDatabaseAsync(mode);

    private static async Task<List<string>> TablesAsync(IClickHouse db, string where) =>
        Lines(await db.QueryAsync($"SELECT name FROM system.tables WHERE database = {{db:String}} AND {where}", "TabSeparated",
            new Dictionary<string, string> { ["db"] = db.Database }));

    private static async Task<List<string>> ColumnsAsync(IClickHouse db, string where) =>
        Lines(await db.QueryAsync($"SELECT table || '.' || name FROM system.columns WHERE database = {{db:String}} AND {where}", "TabSeparated",
            new Dictionary<string, string> { ["db"] = db.Database }));

    private static List<string> Lines(byte[] output) => [.. Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
