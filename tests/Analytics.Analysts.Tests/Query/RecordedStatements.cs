using System.Collections.Concurrent;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Analysts.Tests.Query;

/// <summary>ClickHouse whose statements are kept in the order they were sent, so a test can say what a load asked of the engine.</summary>
public sealed class RecordedStatements(IClickHouse inner) : IClickHouse
{
    private readonly ConcurrentQueue<string> _statements = new();

    public string Database => inner.Database;

    /// <summary>Every statement sent since the last <see cref="Clear"/>.</summary>
    public IReadOnlyList<string> Statements => [.. _statements];

    public void Clear() => _statements.Clear();

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        _statements.Enqueue(sql);
        return inner.ExecuteAsync(sql, parameters, cancellationToken);
    }

    public Task<byte[]> QueryAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        _statements.Enqueue(sql);
        return inner.QueryAsync(sql, format, parameters, cancellationToken);
    }

    public Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default)
    {
        _statements.Enqueue("INSERT INTO " + table);
        return inner.InsertAsync(table, format, rows, deduplicationToken, cancellationToken);
    }
}
