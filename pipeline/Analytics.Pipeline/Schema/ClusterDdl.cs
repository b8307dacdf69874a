using System.Text.RegularExpressions;

namespace Analytics.Pipeline.Schema;

/// <summary>
/// The cluster form of our migrations. Each table becomes a Replicated*MergeTree local table
/// (<c>name_local</c>, on every shard and replica) plus a Distributed table under the original name, so
/// queries and inserts keep using the names in schema/README.md. Raw rows are sharded by visitor ID
/// (an anonymous row by its own ID), which keeps a visitor's hits and the -1/+1 rows of a visit on one
/// shard. Materialized views run on each shard, from local tables into local rollups.
/// Works on the statement shapes our schema files use (CREATE TABLE, CREATE MATERIALIZED VIEW, ALTER TABLE,
/// ALTER TABLE view MODIFY QUERY, DROP VIEW, INSERT INTO ... SELECT).
/// </summary>
public static partial class ClusterDdl
{
    private const string Anonymous = "toUUID('00000000-0000-0000-0000-000000000000')";

    /// <summary>Sharding keys by table; tables not listed (rollups) take any shard, as each shard's views fill them.</summary>
    private static readonly Dictionary<string, string> ShardingKeys = new()
    {
        ["hits"] = $"cityHash64(if(visitor_id = {Anonymous}, hit_id, visitor_id))",
        ["sessions"] = $"cityHash64(if(visitor_id = {Anonymous}, session_id, visitor_id))",
        ["batch_ledger"] = "cityHash64(token)",
        ["batch_writes"] = "cityHash64(token)",
        ["kafka_batches"] = "cityHash64(topic, partition)",
    };

    public const string LocalSuffix = "_local";

    /// <summary>The statements that do what <paramref name="statement"/> does, across <paramref name="cluster"/>.</summary>
    public static IReadOnlyList<string> Rewrite(string statement, string database, string cluster)
    {
        if (CreateTable().Match(statement) is { Success: true } table)
        {
            var name = table.Groups["name"].Value;
            var local = name + LocalSuffix;
            var create = statement[..table.Index]
                + $"CREATE TABLE IF NOT EXISTS {database}.{local} ON CLUSTER {cluster}"
                + statement[(table.Index + table.Length)..];
            create = Engine().Replace(create, m => "ENGINE = Replicated" + m.Groups["engine"].Value + m.Groups["args"].Value, 1);
            var key = ShardingKeys.GetValueOrDefault(name, "rand()");
            return
            [
                create,
                $"CREATE TABLE IF NOT EXISTS {database}.{name} ON CLUSTER {cluster} AS {database}.{local}\nENGINE = Distributed({cluster}, {database}, {local}, {key})",
            ];
        }
        if (CreateView().Match(statement) is { Success: true } view)
        {
            var select = statement[(view.Index + view.Length)..];
            select = SourceTable().Replace(select, m => m.Value + LocalSuffix);
            return [statement[..view.Index] + $"CREATE MATERIALIZED VIEW IF NOT EXISTS {view.Groups["name"].Value} ON CLUSTER {cluster} TO {view.Groups["target"].Value}{LocalSuffix} AS{select}"];
        }
        if (ModifyQuery().Match(statement) is { Success: true } modify)
        {
            // A view keeps its name on every shard and reads the shard's local tables.
            var select = SourceTable().Replace(statement[(modify.Index + modify.Length)..], m => m.Value + LocalSuffix);
            return [$"ALTER TABLE {modify.Groups["name"].Value} ON CLUSTER {cluster} MODIFY QUERY{select}"];
        }
        if (DropView().Match(statement) is { Success: true } drop)
        {
            return [$"DROP VIEW IF EXISTS {drop.Groups["name"].Value} ON CLUSTER {cluster}"];
        }
        if (Insert().IsMatch(statement))
        {
            // A backfill through the Distributed tables, run by whichever node migrates (our backfills are idempotent).
            return [statement];
        }
        if (AlterTable().Match(statement) is { Success: true } alter)
        {
            var name = alter.Groups["name"].Value;
            var operation = alter.Groups["operation"].Value;
            var onLocal = $"ALTER TABLE {name}{LocalSuffix} ON CLUSTER {cluster} {operation}";
            // Columns live in both tables; TTL and other storage settings only where the data is.
            return operation.StartsWith("ADD COLUMN", StringComparison.OrdinalIgnoreCase) || operation.StartsWith("MODIFY COLUMN", StringComparison.OrdinalIgnoreCase)
                ? [onLocal, $"ALTER TABLE {name} ON CLUSTER {cluster} {operation}"]
                : [onLocal];
        }
        throw new InvalidOperationException("A schema statement of a shape the cluster form does not know: " + statement[..Math.Min(80, statement.Length)]);
    }

    [GeneratedRegex(@"^CREATE TABLE IF NOT EXISTS (?<db>\w+)\.(?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"ENGINE = (?<engine>\w*MergeTree)(?<args>\([^)]*\))?")]
    private static partial Regex Engine();

    [GeneratedRegex(@"^CREATE MATERIALIZED VIEW IF NOT EXISTS (?<name>\w+\.\w+) TO (?<target>\w+\.\w+) AS", RegexOptions.Multiline)]
    private static partial Regex CreateView();

    // Only the raw tables feed views, and visitor_spans_by_day (a Null table between them and the spans, schema/0023);
    // rollups are never a view's source.
    [GeneratedRegex(@"\b\w+\.(hits|sessions|visitor_spans_by_day)\b")]
    private static partial Regex SourceTable();

    /// <summary>A statement that changes a view's query (ALTER TABLE view MODIFY QUERY); the group "name" is the view.</summary>
    [GeneratedRegex(@"^ALTER TABLE (?<name>\w+\.\w+) MODIFY QUERY", RegexOptions.Multiline)]
    internal static partial Regex ModifyQuery();

    [GeneratedRegex(@"^DROP VIEW IF EXISTS (?<name>\w+\.\w+)$", RegexOptions.Multiline)]
    private static partial Regex DropView();

    [GeneratedRegex(@"^INSERT INTO ", RegexOptions.Multiline)]
    private static partial Regex Insert();

    [GeneratedRegex(@"^ALTER TABLE (?<name>\w+\.\w+) (?<operation>[\s\S]+)$", RegexOptions.Multiline)]
    private static partial Regex AlterTable();
}
