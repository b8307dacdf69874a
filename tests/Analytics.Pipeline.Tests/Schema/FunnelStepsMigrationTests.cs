using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Tests.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Pipeline.Tests.Schema;

/// <summary>
/// schema/0015 and 0018 on a database that already holds hits, visits and an erasure: nothing is lost, the
/// hits_by_step projection holds every hit and answers step queries as the table does, and an erasure
/// after the upgrade still works (a lightweight delete on a table with a projection is refused unless
/// the table rebuilds it). Hits stored before 0018 keep no visit; hits stored after carry their visit's
/// session_id, the one the sessions table holds for it.
/// </summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class FunnelStepsMigrationTests(ClickHouseMode mode)
{
    private const int Version = 15;
    private const int HitVisitsVersion = 18;
    private const string NoVisit = "00000000-0000-0000-0000-000000000000";

    [Test]
    public async Task Upgrading_a_database_with_data_keeps_every_row_and_fills_the_step_projection()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var (db, migrator) = await DatabaseBeforeAsync(Version);
        var hits = RollupConsistencyTests.RandomTraffic(new Random(seed), visitors: 120, hits: 1_500);
        await WriteAsOlderBuildAsync(db, [hits[..700], hits[700..]]);
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

    [Test]
    public async Task Upgrading_a_database_with_hits_leaves_them_without_a_visit_and_stamps_every_hit_stored_after()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var (db, migrator) = await DatabaseBeforeAsync(HitVisitsVersion);
        var hits = RollupConsistencyTests.RandomTraffic(new Random(seed), visitors: 120, hits: 1_500);
        await WriteAsOlderBuildAsync(db, [hits[..500]]);
        var before = await CountsAsync(db);

        await migrator.MigrateAsync(CancellationToken.None);

        Assert.That(await CountsAsync(db), Is.EqualTo(before), "hits and visits are all still there");
        Assert.That(await TextAsync(db, $"SELECT countIf(session_id != '{NoVisit}') FROM {db.Database}.hits"), Is.EqualTo("0"), "an older hit has no visit");
        Assert.That(await TextAsync(db, $"SELECT sum(rows) FROM system.projection_parts WHERE database = '{db.Database}' AND table = 'hits' AND name = 'hits_by_step' AND active"),
            Is.EqualTo(await TextAsync(db, $"SELECT sum(rows) FROM system.parts WHERE database = '{db.Database}' AND table = 'hits' AND active")));

        // This build's store, in two batches so visits grow across them; a store restarted in between
        // (a new tracker) starts new visits, as the sessions table shows them.
        await new HitStore(db).WriteAsync(new HitBatch(hits[500..1000], "after-1"), CancellationToken.None);
        await new HitStore(db).WriteAsync(new HitBatch(hits[1000..], "after-2"), CancellationToken.None);

        Assert.That(await TextAsync(db, $"SELECT countIf(session_id = '{NoVisit}') FROM {db.Database}.hits WHERE hit_id IN ({Ids(hits[500..])})"), Is.EqualTo("0"),
            "every hit stored after the upgrade carries a visit, anonymous and bot hits included");
        // Each stamped hit lies in the stored visit it names: same visitor and bot flag, within its first and last hit, and the
        // visit holds as many hits as carry its ID.
        var visits = $"SELECT session_id, any(visitor_id) AS visitor_id, any(is_bot) AS is_bot, min(started_at) AS started_at, max(ended_at) AS ended_at, "
            + $"argMax(hits, version) AS hits FROM {db.Database}.sessions WHERE sign > 0 GROUP BY session_id";
        var stamped = $"SELECT session_id, any(visitor_id) AS visitor_id, any(is_bot) AS is_bot, min(timestamp) AS first, max(timestamp) AS last, count() AS hits "
            + $"FROM {db.Database}.hits WHERE session_id != '{NoVisit}' GROUP BY session_id";
        Assert.That(await TextAsync(db, $"SELECT count(), countIf(v.session_id = h.session_id AND v.visitor_id = h.visitor_id AND v.is_bot = h.is_bot "
            + $"AND v.started_at = h.first AND v.ended_at = h.last AND v.hits = h.hits) FROM ({stamped}) AS h LEFT JOIN ({visits}) AS v ON h.session_id = v.session_id"),
            Is.EqualTo(await TextAsync(db, $"SELECT count(), count() FROM ({stamped})")).And.Not.EqualTo("0\t0"));
        var step = $"SELECT visitor_id, session_id, count() FROM {db.Database}.hits WHERE site_id = 's' AND kind = 1 AND path IN ('/', '/b') AND NOT is_bot "
            + "GROUP BY visitor_id, session_id ORDER BY visitor_id, session_id";
        Assert.That(await TextAsync(db, "EXPLAIN projections = 1 " + step), Does.Contain("hits_by_step"), "a step query by visit reads the projection");
        await AssertProjectionAgreesAsync(db, step);

        var erased = hits.Last(h => h.VisitorId != Guid.Empty).VisitorId;
        await EraseAsync(db, erased);
        await AssertProjectionAgreesAsync(db, step);
        Assert.That(await TextAsync(db, step), Does.Not.Contain(erased.ToString()));
    }

    /// <summary>A database at the version before <paramref name="version"/>: its migrations applied and recorded in the ledger.</summary>
    private async Task<(IClickHouse Db, SchemaMigrator Migrator)> DatabaseBeforeAsync(int version)
    {
        var db = await Transports.NewDatabaseAsync(mode);
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);
        await migrator.PendingAsync(CancellationToken.None);
        foreach (var migration in SchemaMigrator.Shipped.Where(m => m.Version < version))
        {
            foreach (var statement in migration.Statements(db.Database))
            {
                await db.ExecuteAsync(statement);
            }
            await db.ExecuteAsync($"INSERT INTO {db.Database}.schema_migrations (version, name) VALUES ({migration.Version}, '{migration.Name}')");
        }
        return (db, migrator);
    }

    /// <summary>
    /// Stores the batches as a build before 0018 did: tracked and written by this build's store into a
    /// database of its own, then copied into <paramref name="db"/> without the columns older builds did
    /// not write (hits' session_id), so its views fill its rollups as that build's inserts did.
    /// </summary>
    private async Task WriteAsOlderBuildAsync(IClickHouse db, IReadOnlyList<List<Hit>> batches)
    {
        var current = await Transports.NewMigratedDatabaseAsync(mode);
        var store = new HitStore(current);
        var i = 0;
        foreach (var batch in batches)
        {
            await store.WriteAsync(new HitBatch(batch, $"older-{i++}"), CancellationToken.None);
        }
        var hitColumns = HitRowBinaryEncoder.Columns.Replace(", session_id", "", StringComparison.Ordinal);
        await db.ExecuteAsync($"INSERT INTO {db.Database}.sessions ({SessionRowBinaryEncoder.Columns}) SELECT {SessionRowBinaryEncoder.Columns} FROM {current.Database}.sessions");
        await db.ExecuteAsync($"INSERT INTO {db.Database}.hits ({hitColumns}) SELECT {hitColumns} FROM {current.Database}.hits");
    }

    private static string Ids(IEnumerable<Hit> hits) => string.Join(", ", hits.Select(h => $"'{h.HitId}'"));

    private static async Task AssertProjectionAgreesAsync(IClickHouse db, string step) =>
        Assert.That(await TextAsync(db, step), Is.EqualTo(await TextAsync(db, step + " SETTINGS optimize_use_projections = 0")).And.Not.Empty);

    private static Task EraseAsync(IClickHouse db, Guid visitor) =>
        db.ExecuteAsync($"DELETE FROM {db.Database}.hits WHERE visitor_id = {{visitor:UUID}}", new Dictionary<string, string> { ["visitor"] = visitor.ToString() });

    private static async Task<string> CountsAsync(IClickHouse db) =>
        await TextAsync(db, $"SELECT (SELECT count() FROM {db.Database}.hits), (SELECT sum(sign) FROM {db.Database}.sessions), (SELECT sum(pageviews) FROM {db.Database}.rollup_paths_daily)");

    private static async Task<string> TextAsync(IClickHouse db, string sql) => Encoding.UTF8.GetString(await db.QueryAsync(sql, "TabSeparated")).Trim();
}
