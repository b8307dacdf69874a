using System.Text;
using System.Text.RegularExpressions;
using Analytics.Pipeline.Schema;

namespace Analytics.Pipeline.Tests.Schema;

public class ClusterDdlTests
{
    private static List<string> ClusterStatements() =>
        [.. SchemaMigrator.Shipped.SelectMany(m => m.Statements("analytics", "events_cluster"))];

    [Test]
    public void The_cluster_form_of_the_schema_is_printed_for_review()
    {
        var ddl = string.Join(";\n\n", ClusterStatements()) + ";\n";
        TestContext.Out.WriteLine(ddl);

        Assert.That(ddl, Does.Contain(
            "CREATE TABLE IF NOT EXISTS analytics.hits ON CLUSTER events_cluster AS analytics.hits_local\n" +
            "ENGINE = Distributed(events_cluster, analytics, hits_local, cityHash64(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)))"));
        Assert.That(ddl, Does.Contain("CREATE TABLE IF NOT EXISTS analytics.sessions_local ON CLUSTER events_cluster"));
        Assert.That(ddl, Does.Contain("ENGINE = ReplicatedVersionedCollapsingMergeTree(sign, version)"));
        Assert.That(ddl, Does.Contain("ALTER TABLE analytics.hits_local ON CLUSTER events_cluster MODIFY TTL"));
        Assert.That(ddl, Does.Contain("ALTER TABLE analytics.hits ON CLUSTER events_cluster ADD COLUMN IF NOT EXISTS retention_days"));
    }

    [Test]
    public void Every_statement_runs_on_the_cluster_and_every_table_is_replicated_with_a_distributed_twin()
    {
        var statements = ClusterStatements();

        // Backfills go through the Distributed tables from whichever node migrates; everything else is DDL on the cluster.
        Assert.That(statements.Where(s => !Regex.IsMatch(s, "^INSERT INTO ", RegexOptions.Multiline)), Has.All.Match(@"ON CLUSTER events_cluster\b"));
        var engines = statements.Select(s => Regex.Match(s, @"ENGINE = (\w+)").Groups[1].Value).Where(e => e.Length > 0).ToList();
        Assert.That(engines.Where(e => e.EndsWith("MergeTree", StringComparison.Ordinal)), Has.All.StartWith("Replicated"));
        var locals = statements.Select(s => Regex.Match(s, @"CREATE TABLE IF NOT EXISTS analytics\.(\w+)_local ").Groups[1].Value).Where(n => n.Length > 0).ToList();
        var distributed = statements.Select(s => Regex.Match(s, @"CREATE TABLE IF NOT EXISTS analytics\.(\w+) ON CLUSTER events_cluster AS analytics\.\1_local").Groups[1].Value).Where(n => n.Length > 0).ToList();
        Assert.That(distributed, Is.EquivalentTo(locals));
        Assert.That(locals, Does.Contain("hits").And.Contain("sessions").And.Contain("rollup_site_hourly").And.Contain("batch_ledger"));
    }

    [Test]
    public void Views_read_and_write_the_local_tables_of_their_shard()
    {
        var views = ClusterStatements().Where(s => s.Contains("MATERIALIZED VIEW", StringComparison.Ordinal)).ToList();
        var modified = ClusterStatements().Where(s => s.Contains("MODIFY QUERY", StringComparison.Ordinal)).ToList();

        // 0019 recreates 0014's two span views for the span table in fine granules; 0023 replaces them with three (two into a Null table, one from it).
        Assert.That(views, Has.Count.EqualTo(21));
        // 0008 swapped six views' queries to visitor sketches, 0012 eight to exact visitor states, 0014 the same eight to cookie visitors only,
        // 0027 0023's three to count their rows.
        Assert.That(modified, Has.Count.EqualTo(25));
        Assert.That(modified, Has.All.Match(@"^ALTER TABLE analytics\.rollup_\w+_mv ON CLUSTER events_cluster MODIFY QUERY"));
        Assert.That(modified, Has.All.Match(@"FROM analytics\.(hits|sessions|visitor_spans_by_day)_local\b"));
        Assert.That(views, Has.All.Match(@"TO analytics\.(rollup_\w+|stored_hit_ids|visitor_spans_by_day)_local AS"));
        Assert.That(views, Has.All.Match(@"FROM analytics\.(hits|sessions|visitor_spans_by_day)_local\b"));
        Assert.That(views, Has.None.Match(@"FROM analytics\.(hits|sessions|visitor_spans_by_day)\s"));
    }

    [Test]
    public void Every_cluster_statement_parses_in_the_real_engine()
    {
        foreach (var statement in ClusterStatements())
        {
            var ast = Encoding.UTF8.GetString(Engine.Shared.Query("EXPLAIN AST " + statement));
            Assert.That(ast, Is.Not.Empty, statement);
        }
    }
}
