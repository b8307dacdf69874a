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

    public Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Engine.Query(InsertStatement(table, format, rows.Span, deduplicationToken)), cancellationToken);

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
