using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Analytics.Partners.Api;
using Analytics.Partners.Delivery;
using Analytics.Pipeline.ClickHouse;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.Host.Tests.Partners;

/// <summary>The acceptance: a partner of the embedded default gets yesterday's report by pull and by push, small cells suppressed, all audited.</summary>
public class PartnerReportAcceptanceTests
{
    private const string PartnerKey = "acme-partner-key";
    private const string OperatorKey = "acme-operator-key";
    private const string Secret = "a-shared-secret-of-at-least-32-characters";

    [Test]
    public async Task A_configured_partner_receives_yesterdays_report_by_pull_and_push_with_small_cells_suppressed_and_audited()
    {
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var dataPath = RunningHost.NewDataPath();
        var store = "--Partners:StorePath=" + Path.Combine(dataPath, "partners");
        await using (var seeding = await RunningHost.StartAsync(dataPath, store))
        {
            var clickHouse = seeding.App.Services.GetRequiredService<IClickHouse>();
            await InsertPageviewsAsync(clickHouse, yesterday, "/popular", 12);
            await InsertPageviewsAsync(clickHouse, yesterday, "/rare", 3);
            await InsertPageviewsAsync(clickHouse, yesterday, "/niche", 2);
        }

        var pushes = new ConcurrentQueue<(string? Delivery, bool Valid, byte[] Body)>();
        await using var receiver = await StartReceiverAsync(pushes);
        await using var host = await RunningHost.StartAsync(dataPath, store,
            "--Partners:OperatorKeySha256=" + PartnerKeys.Hash(OperatorKey),
            "--Partners:Partners:0:Id=acme",
            "--Partners:Partners:0:Name=Acme Media",
            "--Partners:Partners:0:KeySha256=" + PartnerKeys.Hash(PartnerKey),
            "--Partners:Partners:0:Push:Url=" + receiver.Url,
            "--Partners:Partners:0:Push:Secret=" + Secret,
            "--Partners:Partners:0:Reports:0:Id=pages",
            "--Partners:Partners:0:Reports:0:Sites:0=demo",
            "--Partners:Partners:0:Reports:0:Dimensions:0=path",
            "--Partners:Partners:0:Reports:0:Schedule:At=00:00");

        // The first start runs the latest firing (today 00:00 UTC), whose window is yesterday; then it is pushed.
        var until = DateTime.UtcNow.AddSeconds(20);
        while (pushes.IsEmpty && DateTime.UtcNow < until)
        {
            await Task.Delay(25);
        }
        Assert.That(pushes, Has.Count.EqualTo(1));
        var push = pushes.Single();
        Assert.That(push.Valid, Is.True, "signature");

        using var partner = new HttpClient { BaseAddress = host.Address };
        partner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PartnerKey);
        // The receiver saw the push before its 200 reached the host, which then records the acknowledgement.
        var item = await OnlyReportAsync(partner);
        while (item.GetProperty("push_status").GetString() != "Delivered" && DateTime.UtcNow < until)
        {
            await Task.Delay(25);
            item = await OnlyReportAsync(partner);
        }
        var window = yesterday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.That(item.GetProperty("window").GetString(), Is.EqualTo(window));
        Assert.That(item.GetProperty("push_status").GetString(), Is.EqualTo("Delivered"));
        var pulled = await partner.GetByteArrayAsync(item.GetProperty("url").GetString());

        Assert.That(pulled, Is.EqualTo(push.Body), "pull and push deliver the same file");
        var lines = Encoding.UTF8.GetString(pulled).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.EqualTo(new[]
        {
            "schema_version,partner,report,period_start,period_end,row_type,site,path,visitors,pageviews,small_cells,withheld_cells",
            $"1,acme,pages,{window},{window},cell,demo,/popular,12,12,0,0",
            $"1,acme,pages,{window},{window},total,,,17,17,2,2",
        }));

        using var operatorClient = new HttpClient { BaseAddress = host.Address };
        operatorClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        using var audit = JsonDocument.Parse(await operatorClient.GetStringAsync("/api/partners-admin/audit?partner=acme"));
        var entries = audit.RootElement.EnumerateArray()
            .Select(e => (Action: e.GetProperty("action").GetString(), Actor: e.GetProperty("actor").GetString(), Window: e.GetProperty("window").GetString(),
                Rows: e.GetProperty("rows").GetInt32(), Withheld: e.GetProperty("withheld_cells").GetInt64(), Sha256: e.GetProperty("sha256").GetString()))
            .ToList();
        Assert.That(entries.Select(e => (e.Action, e.Actor)), Is.EqualTo(new[] { ("generated", "scheduler"), ("pushed", "push"), ("downloaded", "partner:acme") }));
        Assert.That(entries.All(e => e.Window == window && e.Rows == 1 && e.Withheld == 2), Is.True);
        Assert.That(entries.Select(e => e.Sha256).Distinct().Single(), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pulled))));
    }

    private static async Task<JsonElement> OnlyReportAsync(HttpClient partner)
    {
        using var listing = JsonDocument.Parse(await partner.GetStringAsync("/api/partners/acme/reports"));
        return listing.RootElement.GetProperty("reports").EnumerateArray().Single().Clone();
    }

    /// <summary>Pageviews as the aggregator stores them; the rollups' materialized views pick them up.</summary>
    private static async Task InsertPageviewsAsync(IClickHouse clickHouse, DateOnly day, string path, int visitors)
    {
        var rows = new StringBuilder();
        for (var i = 0; i < visitors; i++)
        {
            rows.AppendLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["site_id"] = "demo",
                ["timestamp"] = day.ToDateTime(new TimeOnly(12, 0, i)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                ["hit_id"] = Guid.NewGuid(),
                ["visitor_id"] = Guid.NewGuid(),
                ["kind"] = 1,
                ["hostname"] = "localhost",
                ["path"] = path,
            }));
        }
        await clickHouse.InsertAsync($"{clickHouse.Database}.hits", "JSONEachRow", Encoding.UTF8.GetBytes(rows.ToString()));
    }

    private sealed class Receiver(WebApplication app, Uri url) : IAsyncDisposable
    {
        public Uri Url { get; } = url;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The partner's endpoint on loopback HTTP (configuration allows plain HTTP only there); it checks every signature.</summary>
    private static async Task<Receiver> StartReceiverAsync(ConcurrentQueue<(string? Delivery, bool Valid, byte[] Body)> pushes)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var valid = PushSignature.Verify(Secret, context.Request.Headers[PushSignature.TimestampHeader], context.Request.Headers[PushSignature.SignatureHeader],
                body.ToArray(), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
            pushes.Enqueue((context.Request.Headers[PushSignature.DeliveryHeader], valid, body.ToArray()));
            return valid ? Results.Ok() : Results.Unauthorized();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Receiver(app, new Uri(new Uri(address), "/hook"));
    }
}
