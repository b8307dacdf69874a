using Analytics.Pipeline.ClickHouse;

namespace Analytics.Pipeline.Tests;

/// <summary>
/// Fails <paramref name="failures"/> inserts into the table <paramref name="failing"/>, rows sent or an INSERT statement
/// (a process dying as it sends them, or the engine refusing them), after passing the first <paramref name="passing"/>
/// on; then passes everything on.
/// </summary>
public sealed class FailingInserts(IClickHouse inner, string failing, int failures = int.MaxValue, int passing = 0) : IClickHouse
{
    private int _inserts;

    public int Failed => Math.Clamp(Volatile.Read(ref _inserts) - passing, 0, failures);

    public string Database => inner.Database;

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        sql.StartsWith($"INSERT INTO {Database}.{failing} ", StringComparison.Ordinal) && Fails()
            ? Task.FromException(new ClickHouseException($"insert into {failing} failed (test)"))
            : inner.ExecuteAsync(sql, parameters, cancellationToken);

    public Task<byte[]> QueryAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        inner.QueryAsync(sql, format, parameters, cancellationToken);

    public Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default) =>
        table.StartsWith($"{Database}.{failing} ", StringComparison.Ordinal) && Fails()
            ? Task.FromException(new ClickHouseException($"insert into {failing} failed (test)"))
            : inner.InsertAsync(table, format, rows, deduplicationToken, cancellationToken);

    private bool Fails() => Interlocked.Increment(ref _inserts) is var n && n > passing && n <= passing + (long)failures;
}
