using Analytics.Partners.Api;
using Analytics.Partners.Reports;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Analytics.Partners.Tests;

/// <summary>
/// The partners' part alone in a host on a random loopback port, reading constructed cells, with its own store
/// folder. Two partners: acme (key "acme-key") and globex (key "globex-key"); the operator key is "operator-key".
/// </summary>
public sealed class PartnersApp : IAsyncDisposable
{
    public const string AcmeKey = "acme-key";
    public const string GlobexKey = "globex-key";
    public const string OperatorKey = "operator-key";

    private PartnersApp(WebApplication app, Uri address, string storePath)
    {
        App = app;
        Address = address;
        StorePath = storePath;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public string StorePath { get; }

    public static string NewStorePath() => Path.Combine(TestFolders.Root, "store-" + Guid.NewGuid().ToString("N"));

    public static Dictionary<string, string?> TwoPartners(string storePath) => new()
    {
        ["Partners:StorePath"] = storePath,
        ["Partners:OperatorKeySha256"] = PartnerKeys.Hash(OperatorKey),
        ["Partners:Partners:0:Id"] = "acme",
        ["Partners:Partners:0:KeySha256"] = PartnerKeys.Hash(AcmeKey),
        ["Partners:Partners:0:Reports:0:Id"] = "daily",
        ["Partners:Partners:0:Reports:0:Sites:0"] = "demo",
        ["Partners:Partners:0:Reports:0:Dimensions:0"] = "country",
        ["Partners:Partners:0:Reports:0:Schedule:At"] = "02:00",
        ["Partners:Partners:1:Id"] = "globex",
        ["Partners:Partners:1:KeySha256"] = PartnerKeys.Hash(GlobexKey),
        ["Partners:Partners:1:Reports:0:Id"] = "globex-daily",
        ["Partners:Partners:1:Reports:0:Sites:0"] = "demo",
        ["Partners:Partners:1:Reports:0:Dimensions:0"] = "country",
        ["Partners:Partners:1:Reports:0:Format"] = "JsonLines",
    };

    public static async Task<PartnersApp> StartAsync(
        Dictionary<string, string?> settings, IAggregateSource source, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(source);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        builder.Services.AddPartners();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapPartners();
        app.MapMetrics(registry: app.Services.GetRequiredService<CollectorRegistry>());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PartnersApp(app, new Uri(address), settings["Partners:StorePath"]!);
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes; returns whether it held.</summary>
    public static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
