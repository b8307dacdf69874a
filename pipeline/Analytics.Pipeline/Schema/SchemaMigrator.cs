using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Logging;

namespace Analytics.Pipeline.Schema;

/// <summary>
/// Applies the numbered files of schema/ in order and records each applied version. Every statement is
/// idempotent (IF NOT EXISTS), so a half-applied migration can simply run again.
/// </summary>
public sealed partial class SchemaMigrator(IClickHouse clickHouse, ILogger<SchemaMigrator> logger)
{
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
            foreach (var statement in migration.Statements(clickHouse.Database))
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

    /// <summary>The SQL that <see cref="MigrateAsync"/> would run, without running it.</summary>
    public async Task<string> PlanAsync(CancellationToken cancellationToken)
    {
        var plan = new StringBuilder();
        foreach (var migration in await PendingAsync(cancellationToken))
        {
            plan.Append("-- ").Append(migration.Version).Append(' ').AppendLine(migration.Name);
            foreach (var statement in migration.Statements(clickHouse.Database))
            {
                plan.Append(statement).AppendLine(";").AppendLine();
            }
        }
        return plan.ToString();
    }

    private async Task EnsureLedgerAsync(CancellationToken cancellationToken)
    {
        await clickHouse.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {clickHouse.Database}", cancellationToken: cancellationToken);
        await clickHouse.ExecuteAsync(
            $"""
            CREATE TABLE IF NOT EXISTS {clickHouse.Database}.schema_migrations
            (version UInt32, name String, applied_at DateTime DEFAULT now())
            ENGINE = MergeTree ORDER BY version
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
    }
}
