namespace Analytics.Pipeline.Schema;

/// <summary>One numbered schema file from schema/, e.g. 0001_hits.sql.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>
    /// The statements of the file with its placeholders filled in ({database}); with a
    /// <paramref name="cluster"/>, in cluster form (<see cref="ClusterDdl"/>).
    /// </summary>
    public IReadOnlyList<string> Statements(string database, string cluster) =>
        cluster.Length == 0 ? Statements(database) : [.. Statements(database).SelectMany(s => ClusterDdl.Rewrite(s, database, cluster))];

    /// <summary>The statements of the file with its placeholders filled in ({database}).</summary>
    public IReadOnlyList<string> Statements(string database) =>
        Sql.Replace("{database}", database, StringComparison.Ordinal)
            .Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.TrimEnd(';'))
            .Where(s => s.Split('\n').Any(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            .ToList();

    /// <summary>The materialized views whose query the file changes (ALTER TABLE ... MODIFY QUERY), by qualified name.</summary>
    public IEnumerable<string> ViewsRequeried(string database) =>
        Statements(database).Select(s => ClusterDdl.ModifyQuery().Match(s)).Where(m => m.Success).Select(m => m.Groups["name"].Value);
}
