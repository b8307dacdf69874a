using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Schema;

/// <summary>
/// Applies the numbered files of schema/ in order and records each applied version. Every statement is
/// idempotent (IF NOT EXISTS), so a half-applied migration can simply run again.
/// </summary>
public sealed partial class SchemaMigrator(IClickHouse clickHouse, string cluster, ILogger<SchemaMigrator> logger)
{
    /// <summary>Migrations for a single server or the embedded engine.</summary>
    public SchemaMigrator(IClickHouse clickHouse, ILogger<SchemaMigrator> logger) : this(clickHouse, "", logger)
    {
    }

    /// <summary>Migrations in the form <see cref="ClickHouseOptions.Cluster"/> asks for.</summary>
    public SchemaMigrator(IClickHouse clickHouse, IOptions<ClickHouseOptions> options, ILogger<SchemaMigrator> logger)
        : this(clickHouse, options.Value.Cluster, logger)
    {
    }

    private string OnCluster => cluster.Length == 0 ? "" : " ON CLUSTER " + cluster;

    /// <summary>All migrations shipped with this build, in order.</summary>
    public static IReadOnlyList<Migration> Shipped { get; } = LoadShipped();

    public async Task<IReadOnlyList<Migration>> PendingAsync(CancellationToken cancellationToken)
    {
        await EnsureLedgerAsync(cancellationToken);
        var applied = await AppliedVersionsAsync(cancellationToken);
        var newest = Shipped.Count == 0 ? 0 : Shipped[^1].Version;
        if (applied.Count > 0 && applied.Max() > newest)
        {
            throw new InvalidOperationException(
                $"The database '{clickHouse.Database}' has schema version {applied.Max()}, newer than this build knows ({newest}). Upgrade the program.");
        }
        return Shipped.Where(m => !applied.Contains(m.Version)).ToList();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        foreach (var migration in await PendingAsync(cancellationToken))
        {
            foreach (var statement in StatementsOf(migration))
            {
                await clickHouse.ExecuteAsync(statement, cancellationToken: cancellationToken);
            }
            await clickHouse.ExecuteAsync(
                $"INSERT INTO {clickHouse.Database}.schema_migrations (version, name) VALUES ({{version:UInt32}}, {{name:String}})",
                new Dictionary<string, string>
                {
                    ["version"] = migration.Version.ToString(CultureInfo.InvariantCulture),
                    ["name"] = migration.Name,
                },
                cancellationToken);
            Log.Applied(logger, migration.Version, migration.Name);
        }
    }

    /// <summary>
    /// The statements that apply <paramref name="migration"/>: its own, then a reload (detach and attach) of each view
    /// whose query it changes. Until it is reloaded, as at the engine's or server's next start, ClickHouse 26.5 names
    /// such a view by its UUID in the deduplication tokens of the blocks it writes, and by its name after: a batch
    /// written before a restart and replayed after it (the process killed before recording it stored) was counted twice
    /// by that view's rollup. Reloaded at once, the view is named alike before and after.
    /// </summary>
    private IEnumerable<string> StatementsOf(Migration migration) =>
        migration.Statements(clickHouse.Database, cluster).Concat(migration.ViewsRequeried(clickHouse.Database).Distinct()
            .SelectMany(view => new[] { $"DETACH TABLE {view}{OnCluster}", $"ATTACH TABLE {view}{OnCluster}" }));

    /// <summary>The SQL that <see cref="MigrateAsync"/> would run, without running it.</summary>
    public async Task<string> PlanAsync(CancellationToken cancellationToken)
    {
        var plan = new StringBuilder();
        foreach (var migration in await PendingAsync(cancellationToken))
        {
            plan.Append("-- ").Append(migration.Version).Append(' ').AppendLine(migration.Name);
            foreach (var statement in StatementsOf(migration))
            {
                plan.Append(statement).AppendLine(";").AppendLine();
            }
        }
        return plan.ToString();
    }

    /// <summary>
    /// Keeps each rollup row <paramref name="days"/> after the later of its own day and the day it was
    /// stored, and sets that TTL where it differs (a change applies as parts merge; nothing is rewritten at
    /// start). Counting from storing is what keeps imported history: a 2015 log imported today is kept as
    /// long as today's live data, not deleted by the next merge. <c>kept_from</c> (the day a row was
    /// stored, the latest over the rows merged into it) comes with 0017; a rollup without it gets it here,
    /// as 0017 does it: rows stored before keep their own day, so nothing is kept longer than before.
    /// </summary>
    public async Task ApplyRollupRetentionAsync(int days, CancellationToken cancellationToken)
    {
        var suffix = cluster.Length == 0 ? "" : ClusterDdl.LocalSuffix;
        var parameters = new Dictionary<string, string> { ["db"] = clickHouse.Database, ["suffix"] = "%" + suffix };
        var output = await clickHouse.QueryAsync(
            "SELECT name, engine_full FROM system.tables WHERE database = {db:String} AND name LIKE 'rollup\\_%' AND name LIKE {suffix:String} AND engine LIKE '%MergeTree'",
            "TabSeparatedRaw", parameters, cancellationToken);
        var withKeptFrom = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            "SELECT table FROM system.columns WHERE database = {db:String} AND name = 'kept_from'", "TabSeparatedRaw", parameters, cancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var (table, engine) = (line[..line.IndexOf('\t', StringComparison.Ordinal)], line[(line.IndexOf('\t', StringComparison.Ordinal) + 1)..]);
            var hasKeptFrom = withKeptFrom.Contains(table);
            var day = table.StartsWith("rollup_site_hourly", StringComparison.Ordinal) ? "toDate(hour)" : "day";
            var name = $"{clickHouse.Database}.{table}{OnCluster}";
            if (!hasKeptFrom)
            {
                await ExecuteAllAsync(cancellationToken,
                    $"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT {day}",
                    $"ALTER TABLE {name} MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2",
                    $"ALTER TABLE {name} MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today()");
            }
            var ttl = $"greatest({day}, kept_from) + toIntervalDay({days})";
            if (engine.Contains("TTL " + ttl, StringComparison.Ordinal))
            {
                continue;
            }
            await clickHouse.ExecuteAsync($"ALTER TABLE {name} MODIFY TTL {ttl} SETTINGS materialize_ttl_after_modify = 0", cancellationToken: cancellationToken);
            Log.RetentionChanged(logger, table, days);
        }
    }

    private async Task ExecuteAllAsync(CancellationToken cancellationToken, params string[] statements)
    {
        foreach (var statement in statements)
        {
            await clickHouse.ExecuteAsync(statement, cancellationToken: cancellationToken);
        }
    }

    private async Task EnsureLedgerAsync(CancellationToken cancellationToken)
    {
        await clickHouse.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {clickHouse.Database}{OnCluster}", cancellationToken: cancellationToken);
        // On a cluster each shard keeps its own replicated ledger; every statement is idempotent, so a
        // node that sees an older ledger simply runs them again.
        await clickHouse.ExecuteAsync(
            $"""
            CREATE TABLE IF NOT EXISTS {clickHouse.Database}.schema_migrations{OnCluster}
            (version UInt32, name String, applied_at DateTime DEFAULT now())
            ENGINE = {(cluster.Length == 0 ? "MergeTree" : "ReplicatedMergeTree")} ORDER BY version
            """,
            cancellationToken: cancellationToken);
    }

    private async Task<HashSet<int>> AppliedVersionsAsync(CancellationToken cancellationToken)
    {
        var output = await clickHouse.QueryAsync(
            $"SELECT DISTINCT version FROM {clickHouse.Database}.schema_migrations", "TabSeparated", cancellationToken: cancellationToken);
        return Encoding.UTF8.GetString(output)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture))
            .ToHashSet();
    }

    private static List<Migration> LoadShipped()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("schema/", StringComparison.Ordinal)))
        {
            var fileName = resource["schema/".Length..^".sql".Length];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(fileName[..separator], CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            migrations.Add(new Migration(version, fileName[(separator + 1)..], reader.ReadToEnd()));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Information, "Applied schema migration {Version} ({Name})")]
        public static partial void Applied(ILogger logger, int version, string name);

        [LoggerMessage(1002, LogLevel.Information, "Rollup {Table} now keeps {Days} days")]
        public static partial void RetentionChanged(ILogger logger, string table, int days);
    }
}
