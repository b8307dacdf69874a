using Analytics.Pipeline.ClickHouse;

namespace Analytics.Pipeline.Tests.Kafka;

/// <summary>ClickHouse that can be switched off: every call fails while <see cref="Down"/> is set, and is counted.</summary>
public sealed class FlakyClickHouse(IClickHouse inner) : IClickHouse
{
    private int _failures;

    private volatile bool _down;

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public int Failures => Volatile.Read(ref _failures);

    public string Database => inner.Database;

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        Down ? Fail() : inner.ExecuteAsync(sql, parameters, cancellationToken);

    public Task<byte[]> QueryAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        Down ? Fail<byte[]>() : inner.QueryAsync(sql, format, parameters, cancellationToken);

    public Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default) =>
        Down ? Fail() : inner.InsertAsync(table, format, rows, deduplicationToken, cancellationToken);

    private Task<bool> Fail() => Fail<bool>();

    private Task<T> Fail<T>()
    {
        Interlocked.Increment(ref _failures);
        return Task.FromException<T>(new ClickHouseException("ClickHouse is down (test)"));
    }
}
