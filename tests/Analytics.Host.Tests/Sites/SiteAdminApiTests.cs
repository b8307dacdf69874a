using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Analysts.Access;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;

namespace Analytics.Host.Tests.Sites;

/// <summary>The sites admin API through the running host: admin keys only, checked, audited without secrets, applied at once.</summary>
public class SiteAdminApiTests
{
    [Test]
    public async Task A_site_added_with_an_admin_key_for_every_site_takes_beacons_at_once_and_is_audited_by_key_id()
    {
        await using var host = await RunningHost.StartAsync();
        var (key, secret) = host.App.Services.GetRequiredService<ApiKeyStore>().Create(["*"], "ops", ApiKeyKinds.Admin);
        using var admin = Client(host, secret);

        using var created = await admin.PostAsJsonAsync("/api/v2/sites", new { id = "shop", hosts = new[] { "shop.example" }, time_zone = "Europe/Paris", k_threshold = 15 });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        using var browser = host.NewBrowser();
        using var beacon = await browser.GetAsync("/i.gif?site=shop&url=" + Uri.EscapeDataString("http://shop.example/"));
        using var listed = await admin.GetAsync("/api/v2/sites");
        var list = await listed.Content.ReadFromJsonAsync<JsonElement>();

        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((body.GetProperty("time_zone").GetString(), body.GetProperty("k_threshold").GetInt32(), body.GetProperty("retention_days").GetInt32()),
            Is.EqualTo(("Europe/Paris", 15, 395)));
        Assert.That(host.App.Services.GetRequiredService<CollectorMetrics>().RejectedCount(DropReason.UnknownSite), Is.Zero, "the new site's beacon was accepted");
        Assert.That(list.EnumerateArray().Select(s => s.GetProperty("id").GetString()), Is.EqualTo(new[] { "demo", "shop" }), "the seed kept, the new site after it");
        var auditText = await File.ReadAllTextAsync(SiteAudit.PathBeside(Path.Combine(host.DataPath, "sites.json")));
        Assert.That(SiteAudit.Read(Path.Combine(host.DataPath, "sites.json")).Single().Actor, Is.EqualTo("api:" + key.Id));
        Assert.That(auditText, Does.Not.Contain(secret).And.Not.Contain(key.Hash));
    }

    [Test]
    public async Task Only_admin_keys_manage_sites_and_a_single_site_admin_key_changes_only_its_own_site()
    {
        await using var host = await RunningHost.StartAsync(null, "--Sites:Sites:1:Id=other", "--Sites:Sites:1:Hosts:0=other.example");
        var keys = host.App.Services.GetRequiredService<ApiKeyStore>();
        using var reader = Client(host, keys.Create(["*"], "reader").Secret);
        using var demoAdmin = Client(host, keys.Create(["demo"], "demo admin", ApiKeyKinds.Admin).Secret);

        using var readerPatch = await reader.PatchAsJsonAsync("/api/v2/sites/demo", new { k_threshold = 20 });
        using var adminAdd = await demoAdmin.PostAsJsonAsync("/api/v2/sites", new { id = "shop", hosts = new[] { "shop.example" } });
        using var adminDelete = await demoAdmin.DeleteAsync("/api/v2/sites/demo");
        using var adminPatchOther = await demoAdmin.PatchAsJsonAsync("/api/v2/sites/other", new { k_threshold = 20 });
        using var adminPatchOwn = await demoAdmin.PatchAsJsonAsync("/api/v2/sites/demo", new { k_threshold = 20 });
        using var anonymous = await Client(host, null).GetAsync("/api/v2/sites");

        Assert.That(new[] { readerPatch.StatusCode, adminAdd.StatusCode, adminDelete.StatusCode, adminPatchOther.StatusCode, adminPatchOwn.StatusCode, anonymous.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.Unauthorized }));
        Assert.That(host.App.Services.GetRequiredService<SiteRegistry>().TryGet("demo", out var demo) ? demo.KThreshold : 0, Is.EqualTo(20));
    }

    [Test]
    public async Task Bad_changes_get_a_400_or_404_that_says_why_and_change_nothing()
    {
        await using var host = await RunningHost.StartAsync();
        using var admin = Client(host, host.App.Services.GetRequiredService<ApiKeyStore>().Create(["*"], "ops", ApiKeyKinds.Admin).Secret);

        using var badZone = await admin.PostAsJsonAsync("/api/v2/sites", new { id = "shop", hosts = new[] { "shop.example" }, time_zone = "Mars/Olympus" });
        using var noHosts = await admin.PostAsJsonAsync("/api/v2/sites", new { id = "shop" });
        using var duplicate = await admin.PostAsJsonAsync("/api/v2/sites", new { id = "demo", hosts = new[] { "demo.example" } });
        using var badConsent = await admin.PatchAsync("/api/v2/sites/demo", new StringContent("""{ "consent_mode": "Sometimes" }""", System.Text.Encoding.UTF8, "application/json"));
        using var notJson = await admin.PostAsync("/api/v2/sites", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        using var renamed = await admin.PatchAsJsonAsync("/api/v2/sites/demo", new { id = "other" });
        using var missing = await admin.DeleteAsync("/api/v2/sites/nowhere");

        Assert.That(new[] { badZone.StatusCode, noHosts.StatusCode, duplicate.StatusCode, badConsent.StatusCode, notJson.StatusCode, renamed.StatusCode, missing.StatusCode },
            Is.EqualTo(new[] { HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound }));
        Assert.That(await DetailAsync(badZone), Is.EqualTo("site 'shop': TimeZone 'Mars/Olympus' is not a known IANA time zone"));
        Assert.That(await DetailAsync(noHosts), Is.EqualTo("site 'shop': Hosts must name at least one host"));
        Assert.That(await DetailAsync(duplicate), Does.Contain("already registered"));
        Assert.That(File.Exists(Path.Combine(host.DataPath, "sites.json")), Is.False, "nothing written");
    }

    private static HttpClient Client(RunningHost host, string? key)
    {
        var client = new HttpClient { BaseAddress = host.Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    private static async Task<string?> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
}
