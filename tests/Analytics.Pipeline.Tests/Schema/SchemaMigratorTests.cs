using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Schema;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Pipeline.Tests.Schema;

[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class SchemaMigratorTests(ClickHouseMode mode)
{
    [Test]
    public void Shipped_migrations_are_numbered_in_strictly_increasing_order()
    {
        var versions = SchemaMigrator.Shipped.Select(m => m.Version).ToList();

        Assert.That(versions, Is.Not.Empty);
        Assert.That(versions, Is.Ordered.Ascending);
        Assert.That(versions, Is.Unique);
    }

    [Test]
    public async Task Migrating_twice_applies_each_version_once()
    {
        var db = await Transports.NewDatabaseAsync(mode);
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);

        await migrator.MigrateAsync(CancellationToken.None);
        await migrator.MigrateAsync(CancellationToken.None);

        var applied = Encoding.UTF8.GetString(await db.QueryAsync($"SELECT count(), uniqExact(version) FROM {db.Database}.schema_migrations", "TabSeparated"));
        Assert.That(applied, Is.EqualTo($"{SchemaMigrator.Shipped.Count}\t{SchemaMigrator.Shipped.Count}\n"));
        Assert.That(await migrator.PendingAsync(CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Plan_prints_the_pending_sql_without_running_it()
    {
        var db = await Transports.NewDatabaseAsync(mode);
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);

        var plan = await migrator.PlanAsync(CancellationToken.None);

        Assert.That(plan, Does.Contain($"CREATE TABLE IF NOT EXISTS {db.Database}.hits"));
        var tables = Encoding.UTF8.GetString(await db.QueryAsync($"SELECT name FROM system.tables WHERE database = {{db:String}}", "TabSeparated",
            new Dictionary<string, string> { ["db"] = db.Database }));
        Assert.That(tables.Trim(), Is.EqualTo("schema_migrations"));
    }

    [Test]
    public async Task A_database_newer_than_the_code_is_refused()
    {
        var db = await Transports.NewDatabaseAsync(mode);
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        await db.ExecuteAsync($"INSERT INTO {db.Database}.schema_migrations (version, name) VALUES (99999, 'future')");

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("newer than this build"));
    }

    [Test]
    public async Task Rollup_retention_is_set_from_configuration_and_left_alone_when_unchanged()
    {
        var db = await Transports.NewDatabaseAsync(mode);
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);

        await migrator.ApplyRollupRetentionAsync(30, CancellationToken.None);
        await migrator.ApplyRollupRetentionAsync(30, CancellationToken.None);

        var engines = Encoding.UTF8.GetString(await db.QueryAsync(
            "SELECT name, engine_full LIKE '%toIntervalDay(30)%' FROM system.tables WHERE database = {db:String} AND engine = 'AggregatingMergeTree' ORDER BY name",
            "TabSeparated", new Dictionary<string, string> { ["db"] = db.Database }));
        Assert.That(engines.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(11).And.All.EndsWith("\t1"));
    }
}
