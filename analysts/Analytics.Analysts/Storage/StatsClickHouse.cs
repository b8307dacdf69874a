using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.ChDb;

namespace Analytics.Analysts.Storage;

/// <summary>
/// The stats API's door to ClickHouse. The embedded engine runs one query at a time (ChDbEngine locks,
/// because concurrent parameterized queries on one connection swapped their parameters). Queuing here
/// first, asynchronously, keeps a burst of dashboard queries from holding thread-pool threads while they
/// wait, and lets a cancelled request leave the queue. A ClickHouse server gets them concurrently.
/// </summary>
public sealed class StatsClickHouse(IClickHouse inner) : IClickHouse, IDisposable
{
    private readonly SemaphoreSlim? _oneAtATime = inner is EmbeddedClickHouse ? new SemaphoreSlim(1, 1) : null;

    public string Database => inner.Database;

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        OneAtATime(() => inner.ExecuteAsync(sql, parameters, cancellationToken), cancellationToken);

    public Task<byte[]> QueryAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        OneAtATime(() => inner.QueryAsync(sql, format, parameters, cancellationToken), cancellationToken);

    public Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default) =>
        inner.InsertAsync(table, format, rows, deduplicationToken, cancellationToken);

    public void Dispose() => _oneAtATime?.Dispose();

    private async Task OneAtATime(Func<Task> run, CancellationToken cancellationToken) =>
        await OneAtATime(async () => { await run(); return true; }, cancellationToken);

    private async Task<T> OneAtATime<T>(Func<Task<T>> run, CancellationToken cancellationToken)
    {
        if (_oneAtATime is null)
        {
            return await run();
        }
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await run();
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}
