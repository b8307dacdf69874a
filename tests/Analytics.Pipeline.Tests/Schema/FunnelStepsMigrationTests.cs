using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Tests.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Pipeline.Tests.Schema;

/// <summary>
/// schema/0015 on a database that already holds hits, visits and an erasure: nothing is lost, the
/// hits_by_step projection holds every hit and answers step queries as the table does, and an erasure
/// after the upgrade still works (a lightweight delete on a table with a projection is refused unless
/// the table rebuilds it).
/// </summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class FunnelStepsMigrationTests(ClickHouseMode mode)
{
    private const int Version = 15;

    [Test]
    public async Task Upgrading_a_database_with_data_keeps_every_row_and_fills_the_step_projection()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var db = await Transports.NewDatabaseAsync(mode);
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);
        await migrator.PendingAsync(CancellationToken.None);
        foreach (var migration in SchemaMigrator.Shipped.Where(m => m.Version < Version))
        {
            foreach (var statement in migration.Statements(db.Database))
            {
                await db.ExecuteAsync(statement);
            }
            await db.ExecuteAsync($"INSERT INTO {db.Database}.schema_migrations (version, name) VALUES ({migration.Version}, '{migration.Name}')");
        }
        var hits = RollupConsistencyTests.RandomTraffic(new Random(seed), visitors: 120, hits: 1_500);
        var store = new HitStore(db);
        await store.WriteAsync(new HitBatch(hits[..700], "a"), CancellationToken.None);
        await store.WriteAsync(new HitBatch(hits[700..], "b"), CancellationToken.None);
        var erasedBefore = hits.First(h => h.VisitorId != Guid.Empty).VisitorId;
        await EraseAsync(db, erasedBefore);
        var before = await CountsAsync(db);

        await migrator.MigrateAsync(CancellationToken.None);

        Assert.That(await CountsAsync(db), Is.EqualTo(before), "hits and visits are all still there");
        Assert.That(await TextAsync(db, $"SELECT sum(rows) FROM system.projection_parts WHERE database = '{db.Database}' AND table = 'hits' AND name = 'hits_by_step' AND active"),
            Is.EqualTo(await TextAsync(db, $"SELECT sum(rows) FROM system.parts WHERE database = '{db.Database}' AND table = 'hits' AND active")),
            "every stored row is in the projection (an erased one is masked in both, as in the table)");
        Assert.That(await TextAsync(db, $"SELECT count() FROM system.data_skipping_indices WHERE database = '{db.Database}' AND table = 'sessions' AND name = 'sessions_ended_at'"),
            Is.EqualTo("1"));

        var step = $"SELECT visitor_id, count() FROM {db.Database}.hits WHERE site_id = 's' AND kind = 1 AND path IN ('/', '/b') AND NOT is_bot GROUP BY visitor_id ORDER BY visitor_id";
        Assert.That(await TextAsync(db, "EXPLAIN projections = 1 " + step), Does.Contain("hits_by_step"), "a step query reads the projection");
        await AssertProjectionAgreesAsync(db, step);
        Assert.That(await TextAsync(db, step), Does.Not.Contain(erasedBefore.ToString()));

        // An erasure after the upgrade: the delete is accepted and the projection forgets the visitor too.
        var erasedAfter = hits.Last(h => h.VisitorId != Guid.Empty && h.VisitorId != erasedBefore).VisitorId;
        await EraseAsync(db, erasedAfter);
        await AssertProjectionAgreesAsync(db, step);
        Assert.That(await TextAsync(db, step), Does.Not.Contain(erasedAfter.ToString()));
    }

    private static async Task AssertProjectionAgreesAsync(IClickHouse db, string step) =>
        Assert.That(await TextAsync(db, step), Is.EqualTo(await TextAsync(db, step + " SETTINGS optimize_use_projections = 0")).And.Not.Empty);

    private static Task EraseAsync(IClickHouse db, Guid visitor) =>
        db.ExecuteAsync($"DELETE FROM {db.Database}.hits WHERE visitor_id = {{visitor:UUID}}", new Dictionary<string, string> { ["visitor"] = visitor.ToString() });

    private static async Task<string> CountsAsync(IClickHouse db) =>
        await TextAsync(db, $"SELECT (SELECT count() FROM {db.Database}.hits), (SELECT sum(sign) FROM {db.Database}.sessions), (SELECT sum(pageviews) FROM {db.Database}.rollup_paths_daily)");

    private static async Task<string> TextAsync(IClickHouse db, string sql) => Encoding.UTF8.GetString(await db.QueryAsync(sql, "TabSeparated")).Trim();
}
