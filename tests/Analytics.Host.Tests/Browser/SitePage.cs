using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.Host.Tests.Browser;

/// <summary>
/// A registered site's own web server on a loopback port: it serves pages that embed the collector's
/// snippet and clear GIF, as a site owner would after reading docs/tracking.md.
/// </summary>
public sealed class SitePage : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SitePage(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The site's origin, as http://localhost:PORT (the demo site lists localhost).</summary>
    public Uri Address { get; }

    /// <summary>
    /// One entry each time /ran-after-snippet ran its scripts (the snippet first, then /ran.js): the value
    /// of document.prerendering at that moment.
    /// </summary>
    public ConcurrentQueue<string> SnippetRan { get; } = new();

    public static async Task<SitePage> StartAsync(Uri collector)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stats = $"http://localhost:{collector.Port}";
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Site page</title>
            <script defer data-site="demo" src="{stats}/a.js"></script></head>
            <body><h1>A page of the demo site</h1>
            <img src="{stats}/i.gif?site=demo&amp;url=http%3A%2F%2Flocalhost%2Fimg" alt="" width="1" height="1">
            </body></html>
            """;
        // Deferred scripts run in order: when /ran is asked for, the snippet has run.
        var ranAfterSnippet = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Snippet, then a signal</title>
            <script defer data-site="demo" src="{stats}/a.js"></script>
            <script defer src="/ran.js"></script></head>
            <body><h1>A page of the demo site</h1></body></html>
            """;
        // docs/tracking.md's stub, and an event recorded by an inline script before the deferred snippet has loaded.
        var eventBeforeSnippet = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>An event before the snippet</title>
            <script>window.analytics = window.analytics || function () { (window.analytics.q = window.analytics.q || []).push(arguments); };</script>
            <script defer data-site="demo" src="{{stats}}/a.js"></script>
            <script>analytics("Early", { step: "inline" });</script></head>
            <body><h1>A page of the demo site</h1></body></html>
            """;
        SitePage? page = null;
        app.MapGet("/event-before-snippet", () => TypedResults.Content(eventBeforeSnippet, "text/html; charset=utf-8"));
        app.MapGet("/ran-after-snippet", () => TypedResults.Content(ranAfterSnippet, "text/html; charset=utf-8"));
        app.MapGet("/ran.js", () => TypedResults.Content("fetch('/ran?prerendering=' + document.prerendering);", "text/javascript"));
        app.MapGet("/ran", (string prerendering) =>
        {
            page!.SnippetRan.Enqueue(prerendering);
            return TypedResults.NoContent();
        });
        app.MapGet("/{**path}", () => TypedResults.Content(html, "text/html; charset=utf-8"));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        page = new SitePage(app, new Uri($"http://localhost:{port}/"));
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
