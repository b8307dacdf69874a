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
            "SELECT name, engine_full LIKE '%TTL greatest(%, kept_from) + toIntervalDay(30)%' FROM system.tables WHERE database = {db:String} AND engine = 'AggregatingMergeTree' ORDER BY name",
            "TabSeparated", new Dictionary<string, string> { ["db"] = db.Database }));
        // Twelve rollups: rollup_visitor_spans, emptied by 0019, is one too.
        Assert.That(engines.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(12).And.All.EndsWith("\t1"));
    }

    [Test]
    public async Task A_rollup_row_is_kept_from_the_day_it_is_stored_and_rows_stored_before_keep_their_own_day()
    {
        var db = await Transports.NewDatabaseAsync(mode);
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        // A rollup without kept_from (as before 0017, or added later without it): rows expire after their own day.
        await db.ExecuteAsync($"ALTER TABLE {db.Database}.rollup_site_hourly DROP COLUMN kept_from");
        await db.ExecuteAsync($"ALTER TABLE {db.Database}.rollup_site_hourly MODIFY TTL hour + toIntervalDay(30)");
        var yesterday = DateTime.UtcNow.Date.AddDays(-1);
        await InsertHourAsync(db, "stored-in-2015", new DateTime(2015, 5, 17, 10, 0, 0, DateTimeKind.Utc));
        await InsertHourAsync(db, "stored-yesterday", yesterday);

        await migrator.ApplyRollupRetentionAsync(30, CancellationToken.None);
        // History imported today: its hour is in 2015, it was stored today.
        await InsertHourAsync(db, "imported-today", new DateTime(2015, 5, 17, 10, 0, 0, DateTimeKind.Utc));
        await db.ExecuteAsync($"OPTIMIZE TABLE {db.Database}.rollup_site_hourly FINAL");

        var kept = Encoding.UTF8.GetString(await db.QueryAsync(
            $"SELECT site_id, kept_from FROM {db.Database}.rollup_site_hourly ORDER BY site_id", "TabSeparated"));
        Assert.That(kept, Is.EqualTo($"imported-today\t{DateTime.UtcNow:yyyy-MM-dd}\nstored-yesterday\t{yesterday:yyyy-MM-dd}\n"));
    }

    private static Task InsertHourAsync(IClickHouse db, string site, DateTime hour) => db.ExecuteAsync(
        $"INSERT INTO {db.Database}.rollup_site_hourly (site_id, hour, pageviews) VALUES ({{site:String}}, toDateTime({{hour:String}}, 'UTC'), 1)",
        new Dictionary<string, string> { ["site"] = site, ["hour"] = hour.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) });
}
