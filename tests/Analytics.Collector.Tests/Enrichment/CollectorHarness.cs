using System.Collections.Concurrent;
using System.Net;
using Analytics.Collector.Pipeline;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Analytics.Collector.Tests.Enrichment;

/// <summary>
/// The collector's real services and steps (validate, identify, describe, enrich) in front of a sink
/// that keeps what leaves the collector, with every log line captured. Geo answers from MaxMind's test City database.
/// </summary>
internal sealed class CollectorHarness : IAsyncDisposable
{
    public const string Site = "shop";
    public const string FirefoxUserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    private readonly ServiceProvider _services;
    private readonly IHostedService[] _hosted;

    private CollectorHarness(ServiceProvider services, CapturingSink sink, CapturingLogs logs)
    {
        _services = services;
        Sink = sink;
        Logs = logs;
        _hosted = [.. services.GetServices<IHostedService>()];
    }

    public CapturingSink Sink { get; }

    public CapturingLogs Logs { get; }

    public static async Task<CollectorHarness> StartAsync(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Sites:Sites:0:Id"] = Site,
            ["Sites:Sites:0:Hosts:0"] = "shop.example.com",
            ["Sites:Sites:0:Hosts:1"] = "www.shop.example.com",
            ["Enrichment:Geo:DatabasePath"] = Geo.GeoLocatorTests.TestDatabase("GeoIP2-City-Test.mmdb"),
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var sink = new CapturingSink();
        var logs = new CapturingLogs();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
            .AddSingleton<IHitSink>(sink)
            .AddCollector()
            .BuildServiceProvider();
        var harness = new CollectorHarness(services, sink, logs);
        foreach (var hosted in harness._hosted)
        {
            await hosted.StartAsync(CancellationToken.None);
        }
        return harness;
    }

    /// <summary>One beacon as the endpoint would hand it to the pipeline; the hit that left, or null when dropped.</summary>
    public async Task<Hit?> SendAsync(
        string url,
        string? referrer = null,
        string? userAgent = FirefoxUserAgent,
        string ip = "81.2.69.160",
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        if (userAgent is not null)
        {
            http.Request.Headers.UserAgent = userAgent;
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            http.Request.Headers[name] = value;
        }
        http.Request.QueryString = QueryString.Create(new Dictionary<string, string?> { ["site"] = Site, ["url"] = url, ["ref"] = referrer });
        var parameters = new BeaconParameters { Site = Site, Url = url, Referrer = referrer };
        var context = await _services.GetRequiredService<HitPipeline>().ProcessAsync(http, parameters);
        return context?.Hit;
    }

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _hosted)
        {
            await hosted.StopAsync(CancellationToken.None);
        }
        await _services.DisposeAsync();
    }

    internal sealed class CapturingSink : IHitSink
    {
        public ConcurrentQueue<Hit> Hits { get; } = new();

        public bool IsHealthy => true;

        public ValueTask WriteAsync(Hit hit, CancellationToken cancellationToken)
        {
            Hits.Enqueue(hit);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Every log line at every level: the formatted message and each structured value.</summary>
    internal sealed class CapturingLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                owner.Lines.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                owner.Lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
