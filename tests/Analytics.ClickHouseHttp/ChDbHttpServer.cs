using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.ClickHouse.ChDb;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.ClickHouseHttp;

/// <summary>
/// A test stand-in for ClickHouse's HTTP interface on 127.0.0.1, backed by the embedded engine: the SQL,
/// engine, formats and error messages are ClickHouse's own; only the HTTP framing is ours. It covers what
/// ClickHouse.Driver uses: the query in the URL and/or the body, param_* bound parameters, settings as
/// URL parameters, gzip/deflate/brotli bodies, default_format, /ping, exception codes. It is not a
/// ClickHouse server: it ignores users, sessions and the database parameter (our SQL names its database).
/// </summary>
public sealed partial class ChDbHttpServer : IAsyncDisposable
{
    // URL parameters of the HTTP interface that are not settings.
    private static readonly HashSet<string> NotSettings =
    [
        "query", "database", "default_format", "query_id", "session_id", "session_timeout", "session_check", "user", "password",
        "quota_key", "buffer_size", "wait_end_of_query", "compress", "decompress", "enable_http_compression", "http_zlib_compression_level",
        "role", "client_protocol_version",
    ];

    private readonly WebApplication _app;
    private readonly ChDbEngine _engine;

    private ChDbHttpServer(WebApplication app, ChDbEngine engine)
    {
        _app = app;
        _engine = engine;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Requests whose body came compressed, and responses sent compressed.</summary>
    public (int Requests, int Responses) Compressed => (_compressedRequests, _compressedResponses);

    private int _compressedRequests;
    private int _compressedResponses;

    public static async Task<ChDbHttpServer> StartAsync(ChDbEngine engine)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ChDbHttpServer(app, engine);
        app.MapGet("/ping", () => "Ok.\n");
        app.Map("/", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.ContentEncoding.Count > 0)
        {
            Interlocked.Increment(ref _compressedRequests);
        }
        var body = await ReadBodyAsync(request);
        var head = request.Query["query"].ToString();
        string? dataFile = null;
        byte[] statement;
        if (head.Length > 0 && body.Length > 0 && InsertWithData().Match(head) is { Success: true } insert)
        {
            // The URL holds an INSERT and the body its rows. The engine takes binary rows reliably only
            // from a file, so the rows go through one: INSERT ... SELECT * FROM file().
            dataFile = Path.Combine(_engine.DataPath, "http-fixture-" + Guid.NewGuid().ToString("N"));
            await File.WriteAllBytesAsync(dataFile, body);
            var sql = $"{insert.Groups["insert"].Value} SELECT * FROM file({SqlLiteral.Quote(dataFile)}, {SqlLiteral.Quote(insert.Groups["format"].Value)})";
            statement = Encoding.UTF8.GetBytes(WithSettings(sql, request.Query, appendToInsert: true));
        }
        else if (head.Length > 0)
        {
            // The URL holds the query's start and the body its rest.
            statement = [.. Encoding.UTF8.GetBytes(WithSettings(head, request.Query) + (body.Length > 0 ? "\n" : "")), .. body];
        }
        else
        {
            statement = Encoding.UTF8.GetBytes(WithSettings(Encoding.UTF8.GetString(body), request.Query));
        }
        var parameters = request.Query.Where(p => p.Key.StartsWith("param_", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["param_".Length..], p => p.Value.ToString());
        var format = request.Query["default_format"].ToString() is { Length: > 0 } f ? f : "TabSeparated";
        var queryId = request.Query["query_id"].ToString() is { Length: > 0 } id ? id : Guid.NewGuid().ToString();

        var response = context.Response;
        response.Headers["X-ClickHouse-Query-Id"] = queryId;
        response.Headers["X-ClickHouse-Server-Display-Name"] = "chdb-http-test-fixture";
        response.Headers["X-ClickHouse-Timezone"] = "UTC";
        byte[] output;
        try
        {
            output = await Task.Run(() => _engine.Query(statement, format, parameters));
        }
        catch (ClickHouseException ex)
        {
            DeleteFile(dataFile);
            var code = ErrorCode(ex.Message);
            response.StatusCode = code switch { 60 or 81 => 404, 47 or 53 or 62 or 27 or 26 or 117 => 400, _ => 500 };
            response.Headers["X-ClickHouse-Exception-Code"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.ContentType = "text/plain; charset=UTF-8";
            await response.WriteAsync(ex.Message + "\n");
            return;
        }
        DeleteFile(dataFile);
        response.Headers["X-ClickHouse-Format"] = format;
        response.Headers["X-ClickHouse-Summary"] = "{\"read_rows\":\"0\",\"read_bytes\":\"0\",\"written_rows\":\"0\",\"written_bytes\":\"0\",\"total_rows_to_read\":\"0\",\"result_rows\":\"0\",\"result_bytes\":\"0\",\"elapsed_ns\":\"0\"}";
        response.ContentType = "text/plain; charset=UTF-8";
        if (request.Query["enable_http_compression"].ToString() is "1" or "true" && request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.Ordinal))
        {
            response.Headers.ContentEncoding = "gzip";
            Interlocked.Increment(ref _compressedResponses);
            await using var gzip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await gzip.WriteAsync(output);
            return;
        }
        await response.Body.WriteAsync(output);
    }

    /// <summary>Settings come as URL parameters; the engine takes them in the statement's SETTINGS clause.</summary>
    private static void DeleteFile(string? path)
    {
        if (path is not null)
        {
            File.Delete(path);
        }
    }

    private static string WithSettings(string sql, IQueryCollection query, bool appendToInsert = false)
    {
        var settings = query.Where(p => !NotSettings.Contains(p.Key) && !p.Key.StartsWith("param_", StringComparison.Ordinal))
            .Select(p => $"{p.Key} = {SettingValue(p.Value.ToString())}")
            .ToList();
        if (settings.Count == 0)
        {
            return sql;
        }
        var clause = " SETTINGS " + string.Join(", ", settings);
        var format = TrailingFormat().Match(sql);
        if (appendToInsert)
        {
            return sql + clause;
        }
        if (sql.TrimStart().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase))
        {
            // INSERT INTO t [(...)] SETTINGS ... FORMAT X | VALUES (...)
            var at = FormatKeyword().Match(sql);
            return at.Success ? sql.Insert(at.Index, clause + " ") : sql + clause;
        }
        if (!sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && !sql.TrimStart().StartsWith("WITH", StringComparison.OrdinalIgnoreCase))
        {
            // DDL and mutations: settings here would be taken as table settings; the fixture leaves them out.
            return sql;
        }
        return format.Success ? sql.Insert(format.Index, clause + " ") : sql.TrimEnd().TrimEnd(';') + clause;
    }

    private static string SettingValue(string value) =>
        long.TryParse(value, out _) || double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _) ? value : SqlLiteral.Quote(value);

    private static int ErrorCode(string message) =>
        ExceptionCode().Match(message) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 1002;

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        Stream body = request.Body;
        switch (request.Headers.ContentEncoding.ToString())
        {
            case "gzip": body = new GZipStream(body, CompressionMode.Decompress); break;
            case "deflate": body = new ZLibStream(body, CompressionMode.Decompress); break;
            case "br": body = new BrotliStream(body, CompressionMode.Decompress); break;
        }
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer);
        await body.DisposeAsync();
        return buffer.ToArray();
    }

    [GeneratedRegex(@"\bFORMAT\s+\w+\s*;?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex TrailingFormat();

    [GeneratedRegex(@"\b(FORMAT\s+\w+|VALUES)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FormatKeyword();

    [GeneratedRegex(@"^\s*(?<insert>INSERT\s+INTO\s.*?)\s+FORMAT\s+(?<format>\w+)\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex InsertWithData();

    [GeneratedRegex(@"Code: (\d+)\.")]
    private static partial Regex ExceptionCode();
}
