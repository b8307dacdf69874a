namespace Analytics.Pipeline.ClickHouse;

/// <summary>
/// One way to talk to ClickHouse, whichever engine answers: embedded chDB or a server over HTTP.
/// Values always travel as bound parameters ({name:Type} placeholders), never inside the SQL text.
/// </summary>
public interface IClickHouse
{
    /// <summary>The database our tables live in; a validated identifier from configuration.</summary>
    string Database { get; }

    /// <summary>Runs a statement that returns no rows (DDL, ALTER, mutations).</summary>
    Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and returns its output in <paramref name="format"/> (JSON, JSONEachRow, CSV, Parquet, ...).</summary>
    Task<byte[]> QueryAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts rows given in <paramref name="format"/>. With a <paramref name="deduplicationToken"/> the
    /// engine drops a repeat of the same insert, so a replayed batch is stored once.
    /// </summary>
    Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default);
}
