using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Analytics.Analysts.Access;
using Analytics.Host.Stats;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Analytics.Host.Tests;

/// <summary>The embedded host on a random loopback port with its own data folder.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly bool _ownsData;

    private RunningHost(WebApplication app, Uri address, string dataPath, bool ownsData)
    {
        App = app;
        Address = address;
        DataPath = dataPath;
        _ownsData = ownsData;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public string DataPath { get; }

    public static string NewDataPath() => Path.Combine(TestDataFolders.Root, "analytics-test-" + Guid.NewGuid().ToString("N"));

    public static async Task<RunningHost> StartAsync(string? dataPath = null, params string[] settings)
    {
        // A folder made here is deleted with the host; a test that names one keeps it (to restart on it).
        var ownsData = dataPath is null;
        dataPath ??= NewDataPath();
        var args = new List<string>
        {
            "--Urls=http://127.0.0.1:0",
            "--ClickHouse:DataPath=" + dataPath,
            "--Spool:Path=" + Path.Combine(dataPath, "spool"),
            "--Aggregator:FlushInterval=00:00:00.050",
            "--Logging:LogLevel:Default=Warning",
            "--Analysts:KeysPath=" + Path.Combine(dataPath, "keys.json"),
            "--Sites:StorePath=" + Path.Combine(dataPath, "sites.json"),
            // WaitForStatsAsync polls with one key every 25 ms: more than the default 600 requests a minute.
            "--Analysts:RequestsPerMinute=1000000",
        };
        args.AddRange(settings);
        var app = EmbeddedHost.Build([.. args]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningHost(app, new Uri(address), dataPath, ownsData);
    }

    /// <summary>A client with its own cookie jar: one browser.</summary>
    public HttpClient NewBrowser(CookieContainer? jar = null)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = jar ?? new CookieContainer(), UseCookies = true }) { BaseAddress = Address };
        // A real browser's user-agent: a request without one is counted as a bot and kept out of the stats.
        client.DefaultRequestHeaders.UserAgent.ParseAdd(BrowserUserAgent);
        return client;
    }

    public const string BrowserUserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    private string? _statsKey;

    /// <summary>A stats API key for every site, made on first use (the daily totals need one, as every stats request).</summary>
    public string StatsKey => _statsKey ??= App.Services.GetRequiredService<ApiKeyStore>().Create(["*"], "tests").Secret;

    public async Task<DailyStatsResponse> DailyStatsAsync(string site)
    {
        using var client = NewBrowser();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StatsKey);
        return (await client.GetFromJsonAsync<DailyStatsResponse>($"/api/stats/daily?site={site}"))!;
    }

    /// <summary>Polls the stats until <paramref name="condition"/> holds or the deadline passes.</summary>
    public async Task<DailyStatsResponse> WaitForStatsAsync(string site, Func<DailyStatsResponse, bool> condition, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var stats = await DailyStatsAsync(site);
            if (condition(stats) || DateTime.UtcNow > until)
            {
                return stats;
            }
            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsData && Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
