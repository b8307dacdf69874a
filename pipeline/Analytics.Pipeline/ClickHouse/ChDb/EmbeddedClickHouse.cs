using System.Text;

namespace Analytics.Pipeline.ClickHouse.ChDb;

/// <summary><see cref="IClickHouse"/> on the embedded engine. Engine calls block, so they run off the caller's thread.</summary>
public sealed class EmbeddedClickHouse(ChDbEngine engine, string database) : IClickHouse
{
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
            // The file's structure is the insert's column list (use_structure_from_insertion_table_in_table_functions).
            var sql = new StringBuilder("INSERT INTO ").Append(table)
                .Append(" SELECT * FROM file(").Append(SqlLiteral.Quote(path)).Append(", ").Append(SqlLiteral.Quote(format)).Append(')');
            if (deduplicationToken is not null)
            {
                sql.Append(" SETTINGS ").Append(InsertSettings.Deduplication).Append(", insert_deduplication_token = ").Append(SqlLiteral.Quote(deduplicationToken));
            }
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
        if (deduplicationToken is not null)
        {
            head.Append(" SETTINGS ").Append(InsertSettings.Deduplication).Append(", insert_deduplication_token = ")
                .Append(SqlLiteral.Quote(deduplicationToken));
        }
        head.Append(" FORMAT ").Append(format).Append('\n');
        var headBytes = Encoding.UTF8.GetBytes(head.ToString());
        var statement = new byte[headBytes.Length + rows.Length];
        headBytes.CopyTo(statement, 0);
        rows.CopyTo(statement.AsSpan(headBytes.Length));
        return statement;
    }
}
