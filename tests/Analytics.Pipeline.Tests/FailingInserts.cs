using Analytics.Pipeline.ClickHouse;

namespace Analytics.Pipeline.Tests;

/// <summary>
/// Fails the first <paramref name="failures"/> inserts into the table <paramref name="failing"/> (a process dying as it sends
/// them, or the engine refusing them), after which it passes everything on.
/// </summary>
public sealed class FailingInserts(IClickHouse inner, string failing, int failures = int.MaxValue) : IClickHouse
{
    private int _inserts;

    public int Failed => Math.Min(Volatile.Read(ref _inserts), failures);

    public string Database => inner.Database;

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        inner.ExecuteAsync(sql, parameters, cancellationToken);

    public Task<byte[]> QueryAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        inner.QueryAsync(sql, format, parameters, cancellationToken);

    public Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default) =>
        table.StartsWith($"{Database}.{failing} ", StringComparison.Ordinal) && Interlocked.Increment(ref _inserts) <= failures
            ? Task.FromException(new ClickHouseException($"insert into {failing} failed (test)"))
            : inner.InsertAsync(table, format, rows, deduplicationToken, cancellationToken);
}
