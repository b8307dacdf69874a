using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Analytics.Collector.Links;
using Analytics.Collector.Pipeline;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Analytics.Collector.Tests;

/// <summary>
/// The collector alone on a loopback port, with a sink that records the hits it is given (no storage),
/// and a middleware that records any exception a handler lets out.
/// </summary>
public sealed class CollectorServer : IAsyncDisposable
{
    public static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The token the link-signing API accepts in these tests.</summary>
    public const string ApiToken = "test-token";

    private CollectorServer(WebApplication app, Uri address, RecordingSink sink, ConcurrentQueue<Exception> errors)
    {
        App = app;
        Address = address;
        Sink = sink;
        Errors = errors;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public RecordingSink Sink { get; }

    /// <summary>Exceptions that escaped a handler (there should be none).</summary>
    public ConcurrentQueue<Exception> Errors { get; }

    public CollectorMetrics Metrics => App.Services.GetRequiredService<CollectorMetrics>();

    /// <summary>
    /// Sites: "demo" on localhost and www.example.com (anonymous when consent is declined), "strict" on
    /// strict.example (drops such hits). Signing key A. Settings override these (--Key=value).
    /// </summary>
    public static async Task<CollectorServer> StartAsync(params string[] settings)
    {
        var args = new List<string>
        {
            "--Urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            "--Sites:Sites:0:Id=demo",
            "--Sites:Sites:0:Hosts:0=localhost",
            "--Sites:Sites:0:Hosts:1=www.example.com",
            "--Sites:Sites:1:Id=strict",
            "--Sites:Sites:1:Hosts:0=strict.example",
            "--Sites:Sites:1:ConsentMode=Drop",
            "--Signing:Keys:0=" + KeyA,
        };
        args.AddRange(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. args], ContentRootPath = AppContext.BaseDirectory });
        var sink = new RecordingSink();
        builder.Services.AddSingleton<IHitSink>(sink);
        builder.Services.AddCollector();
        var app = builder.Build();
        var errors = new ConcurrentQueue<Exception>();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
                throw;
            }
        });
        app.MapCollector();
        // The product passes the analysts' API key check; here a fixed bearer token stands in for it.
        app.MapLinkSigning("/api", (http, _) => http.Request.Headers.Authorization == "Bearer " + ApiToken
            ? null
            : Microsoft.AspNetCore.Http.Results.StatusCode(StatusCodes.Status401Unauthorized));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CollectorServer(app, new Uri(address), sink, errors);
    }

    /// <summary>A client with its own cookie jar that does not follow redirects: one browser.</summary>
    public HttpClient NewBrowser(CookieContainer? jar = null) =>
        new(new HttpClientHandler { CookieContainer = jar ?? new CookieContainer(), UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = Address };

    /// <summary>A client that sends only the Cookie headers a test writes itself.</summary>
    public HttpClient NewRawClient() =>
        new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = Address };

    /// <summary>Stops the server; fails the test if any handler let an exception out.</summary>
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Assert.That(Errors, Is.Empty, () => "exceptions escaped a handler: " + string.Join("\n", Errors));
    }

    public sealed class RecordingSink : IHitSink
    {
        public ConcurrentQueue<Hit> Hits { get; } = new();

        private volatile TaskCompletionSource? _gate;

        public bool IsHealthy => true;

        /// <summary>Holds every write until <see cref="Unblock"/>, like a transport that is stuck.</summary>
        public void Block() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Unblock() => _gate?.TrySetResult();

        public ValueTask WriteAsync(Hit hit, CancellationToken cancellationToken)
        {
            if (_gate is { } gate)
            {
                return WaitThenWriteAsync(gate.Task, hit, cancellationToken);
            }
            Hits.Enqueue(hit);
            return ValueTask.CompletedTask;
        }

        private async ValueTask WaitThenWriteAsync(Task gate, Hit hit, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            Hits.Enqueue(hit);
        }
    }
}
