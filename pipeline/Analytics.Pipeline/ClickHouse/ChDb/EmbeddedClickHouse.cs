using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Analytics.Pipeline.ClickHouse.ChDb;

/// <summary><see cref="IClickHouse"/> on the embedded engine. Engine calls block, so they run off the caller's thread.</summary>
public sealed partial class EmbeddedClickHouse(ChDbEngine engine, string database) : IClickHouse
{
    private readonly ConcurrentDictionary<string, string> _fileStructures = new();

    public string Database { get; } = database;

    public ChDbEngine Engine { get; } = engine;

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Engine.Query(sql, "TabSeparated", parameters), cancellationToken);

    public Task<byte[]> QueryAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Engine.Query(sql, format, parameters), cancellationToken);

    /// <summary>
    /// Text formats travel inline after FORMAT. RowBinary goes through a file and INSERT ... SELECT FROM
    /// file(): binary rows inline were cut short by the engine (DESIGN.md section 5), and the file path was
    /// measured faster (benchmarks/README.md).
    /// </summary>
    public Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default) =>
        format == "RowBinary"
            ? Task.Run(() => InsertFromFile(table, format, rows, deduplicationToken), cancellationToken)
            : Task.Run(() => Engine.Query(InsertStatement(table, format, rows.Span, deduplicationToken)), cancellationToken);

    private void InsertFromFile(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken)
    {
        var folder = Path.Combine(Engine.DataPath, "insert-files");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                file.Write(rows.Span);
            }
            var sql = new StringBuilder("INSERT INTO ").Append(table)
                .Append(" SELECT * FROM file(").Append(SqlLiteral.Quote(path)).Append(", ").Append(SqlLiteral.Quote(format))
                .Append(", ").Append(SqlLiteral.Quote(FileStructure(table))).Append(')');
            sql.Append(InsertSettings.Clause(deduplicationToken));
            Engine.Query(sql.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The rows travel inline after FORMAT; the token is quoted as a ClickHouse string literal.</summary>
    private static byte[] InsertStatement(string table, string format, ReadOnlySpan<byte> rows, string? deduplicationToken)
    {
        var head = new StringBuilder("INSERT INTO ").Append(table);
        head.Append(InsertSettings.Clause(deduplicationToken));
        head.Append(" FORMAT ").Append(format).Append('\n');
        var headBytes = Encoding.UTF8.GetBytes(head.ToString());
        var statement = new byte[headBytes.Length + rows.Length];
        headBytes.CopyTo(statement, 0);
        rows.CopyTo(statement.AsSpan(headBytes.Length));
        return statement;
    }

    /// <summary>
    /// The structure file() reads the rows with: the insert's columns (all insertable ones without a list)
    /// with their table types, LowCardinality unwrapped. Reading RowBinary straight into LowCardinality
    /// columns, as the engine does when it takes the structure from the table, measured 4 to 5 times
    /// slower than reading plain values and letting the INSERT convert them (benchmarks/README.md).
    /// </summary>
    private string FileStructure(string table) => _fileStructures.GetOrAdd(table, target =>
    {
        var open = target.IndexOf('(');
        var name = (open < 0 ? target : target[..open]).Trim();
        var dot = name.IndexOf('.');
        var (tableDatabase, tableName) = dot < 0 ? (Database, name) : (name[..dot], name[(dot + 1)..]);
        var listed = open < 0 ? null : target[(open + 1)..target.LastIndexOf(')')].Split(',', StringSplitOptions.TrimEntries);

        var types = new Dictionary<string, string>();
        var insertable = new List<string>();
        var answer = Encoding.UTF8.GetString(Engine.Query(
            "SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {table:String} " +
            "AND default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL') ORDER BY position",
            "TSVRaw",
            new Dictionary<string, string> { ["database"] = tableDatabase, ["table"] = tableName }));
        foreach (var line in answer.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t');
            types[line[..tab]] = LowCardinality().Replace(line[(tab + 1)..], "$1");
            insertable.Add(line[..tab]);
        }
        return string.Join(", ", (listed ?? [.. insertable]).Select(column => types.TryGetValue(column, out var type)
            ? column + " " + type
            : throw new ClickHouseException($"Column '{column}' is not an insertable column of {tableDatabase}.{tableName}")));
    });

    [GeneratedRegex(@"LowCardinality\(((?:[^()]|\([^()]*\))*)\)")]
    private static partial Regex LowCardinality();
}
