using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Analysts.Access;
using Analytics.Host;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Analytics.Analysts.Tests;

/// <summary>
/// The embedded host on a loopback port with its own data folder and keys file, seeded by writing hits
/// straight into storage (the same path the aggregator takes), with helpers to call the stats API.
/// </summary>
public sealed class StatsHost : IAsyncDisposable
{
    private StatsHost(WebApplication app, Uri address, string dataPath)
    {
        App = app;
        Address = address;
        DataPath = dataPath;
        Keys = app.Services.GetRequiredService<ApiKeyStore>();
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public string DataPath { get; }

    public ApiKeyStore Keys { get; }

    public static async Task<StatsHost> StartAsync(params string[] settings)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "analytics-analysts-test-" + Guid.NewGuid().ToString("N"));
        var args = new List<string>
        {
            "--Urls=http://127.0.0.1:0",
            "--ClickHouse:DataPath=" + Path.Combine(dataPath, "clickhouse"),
            "--Spool:Path=" + Path.Combine(dataPath, "spool"),
            "--Analysts:KeysPath=" + Path.Combine(dataPath, "keys.json"),
            "--Sites:StorePath=" + Path.Combine(dataPath, "sites.json"),
            "--Analysts:TimeZones:paris=Europe/Paris",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(settings);
        var app = EmbeddedHost.Build([.. args]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StatsHost(app, new Uri(address), dataPath);
    }

    /// <summary>Stores hits directly, as one batch.</summary>
    public Task SeedAsync(IReadOnlyList<Hit> hits) =>
        App.Services.GetRequiredService<HitStore>().WriteAsync(new HitBatch(hits), CancellationToken.None);

    /// <summary>A new key for <paramref name="sites"/>, returned as the secret a client sends.</summary>
    public string NewKey(params string[] sites) => Keys.Create(sites, "test").Secret;

    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    /// <summary>POSTs a query body (an anonymous object or JSON text) and returns the response.</summary>
    public async Task<HttpResponseMessage> PostQueryAsync(string? key, object body, string query = "")
    {
        using var client = Client(key);
        HttpContent content = body is string text
            ? new StringContent(text, System.Text.Encoding.UTF8, "application/json")
            : JsonContent.Create(body);
        return await client.PostAsync("/api/v2/query" + query, content);
    }

    /// <summary>POSTs a query that must succeed and returns its parsed answer.</summary>
    public async Task<JsonElement> QueryAsync(string key, object body)
    {
        using var response = await PostQueryAsync(key, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
