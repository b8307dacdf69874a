using System.Net.Sockets;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using ClickHouse.Driver.ADO.Parameters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.ClickHouse.Server;

/// <summary>
/// <see cref="IClickHouse"/> on a ClickHouse server or cluster over HTTP(S), through one shared
/// ClickHouse.Driver client (its HTTP connection pool is shared by every call). Values travel as bound
/// parameters; requests and responses are compressed; a request that fails in transit is retried with
/// backoff when repeating it cannot store anything twice.
/// </summary>
public sealed partial class ServerClickHouse : IClickHouse, IDisposable
{
    private readonly ClickHouseClient _client;
    private readonly ClickHouseOptions _options;
    private readonly ILogger<ServerClickHouse> _logger;

    public ServerClickHouse(IOptions<ClickHouseOptions> options, ILogger<ServerClickHouse> logger)
    {
        _options = options.Value;
        _logger = logger;
        var url = new Uri(_options.ServerUrl);
        _client = new ClickHouseClient(new ClickHouseClientSettings
        {
            Host = url.Host,
            Port = (ushort)url.Port,
            Protocol = url.Scheme,
            Path = url.AbsolutePath == "/" ? null : url.AbsolutePath,
            Username = _options.Username,
            Password = _options.Password,
            UseCompression = _options.Compression,
            Timeout = _options.Timeout,
        });
        Database = _options.Database;
    }

    public string Database { get; }

    public Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        WithRetriesAsync(
            idempotent: false,
            async () => await _client.ExecuteNonQueryAsync(sql, Parameters(parameters), cancellationToken: cancellationToken),
            cancellationToken);

    public Task<byte[]> QueryAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        WithRetriesAsync(
            idempotent: true,
            async () =>
            {
                using var connection = _client.CreateConnection();
                using var command = connection.CreateCommand(sql + "\nFORMAT " + format);
                if (_options.Compression)
                {
                    // The raw-result path asks for no encoding unless told; results can be large.
                    command.AcceptEncoding = "gzip";
                }
                foreach (var parameter in Parameters(parameters))
                {
                    command.Parameters.Add(parameter);
                }
                using var result = await command.ExecuteRawResultAsync(cancellationToken);
                await using var stream = await result.ReadDecompressedStreamAsync();
                using var output = new MemoryStream();
                await stream.CopyToAsync(output, cancellationToken);
                return output.ToArray();
            },
            cancellationToken);

    public Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, string? deduplicationToken = null, CancellationToken cancellationToken = default)
    {
        var options = new QueryOptions { CustomSettings = InsertSettings.For(deduplicationToken).ToDictionary(setting => setting.Name, setting => setting.Value) };
        // With a token a repeat is dropped by the server, so any failure may be retried; without one only
        // a request that never reached the server is.
        return WithRetriesAsync(
            idempotent: deduplicationToken is not null,
            async () =>
            {
                using var body = new MemoryStream(rows.ToArray(), writable: false);
                using var response = await _client.InsertRawStreamAsync(table, body, format, columns: null, useCompression: _options.Compression, options, cancellationToken);
                return true;
            },
            cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    private static ClickHouseParameterCollection Parameters(IReadOnlyDictionary<string, string>? parameters)
    {
        var collection = new ClickHouseParameterCollection();
        foreach (var (name, value) in parameters ?? new Dictionary<string, string>())
        {
            collection.Add(new ClickHouseDbParameter { ParameterName = name, Value = value });
        }
        return collection;
    }

    private async Task<T> WithRetriesAsync<T>(bool idempotent, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (ClickHouseServerException ex) when (!(idempotent && Transient.IsRetryableServerError(ex) && attempt <= _options.MaxRetries))
            {
                throw new ClickHouseException(ex.Message, ex);
            }
            catch (Exception ex) when (ex is not ClickHouseServerException && !Transient.IsInTransit(ex, cancellationToken))
            {
                throw;
            }
            catch (Exception ex) when (attempt > _options.MaxRetries || !(idempotent || Transient.NeverSent(ex)))
            {
                throw new ClickHouseException($"ClickHouse at {_options.ServerUrl} failed after {attempt} attempt(s): {ex.Message}", ex);
            }
            catch (Exception ex)
            {
                Log.Retrying(_logger, ex.GetType().Name, attempt, delay);
                await Task.Delay(delay, cancellationToken);
                delay *= 2;
            }
        }
    }

    private async Task WithRetriesAsync(bool idempotent, Func<Task> call, CancellationToken cancellationToken) =>
        await WithRetriesAsync(idempotent, async () => { await call(); return true; }, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Warning, "ClickHouse request failed in transit ({Error}, attempt {Attempt}); retrying in {Delay}")]
        public static partial void Retrying(ILogger logger, string error, int attempt, TimeSpan delay);
    }

    /// <summary>What counts as a failure in transit, safe to try again.</summary>
    private static class Transient
    {
        // Server errors that mean "not now" rather than "wrong": timeouts, overload, too many parts, read-only replica, network.
        private static readonly HashSet<int> RetryableCodes = [159, 164, 202, 209, 210, 242, 252, 319, 425, 999];

        public static bool IsRetryableServerError(ClickHouseServerException ex) => RetryableCodes.Contains(ex.ErrorCode);

        public static bool IsInTransit(Exception ex, CancellationToken cancellationToken) => ex switch
        {
            HttpRequestException => true,
            TaskCanceledException or TimeoutException => !cancellationToken.IsCancellationRequested,
            IOException => true,
            _ => false,
        };

        /// <summary>The connection was refused: the request cannot have reached the server.</summary>
        public static bool NeverSent(Exception ex) =>
            ex is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };
    }
}
