using System.Net;
using System.Net.Http.Headers;
using Analytics.Analysts.Access;

namespace Analytics.Host.Tests.Stats;

/// <summary>
/// Issue 15, finding 5: GET /api/stats/daily needs a stats API key for the site, like every stats request,
/// and without one an existing site cannot be told from an unknown one.
/// </summary>
public class DailyStatsAccessTests
{
    [Test]
    public async Task The_daily_totals_need_a_key_for_the_site_and_do_not_tell_which_sites_exist()
    {
        await using var host = await RunningHost.StartAsync();
        var keys = host.App.Services.GetRequiredService<ApiKeyStore>();
        var demoKey = keys.Create(["demo"], "demo").Secret;
        var otherKey = keys.Create(["other"], "other").Secret;
        var shareKey = keys.Create(["demo"], "shared", ApiKeyKinds.Share).Secret;
        var adminKey = keys.Create(["demo"], "site admin", ApiKeyKinds.Admin).Secret;

        async Task<HttpStatusCode> Ask(string site, string? key)
        {
            using var client = host.NewBrowser();
            if (key is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            using var response = await client.GetAsync($"/api/stats/daily?site={site}");
            return response.StatusCode;
        }

        Assert.That(await Ask("demo", null), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await Ask("no-such-site", null), Is.EqualTo(HttpStatusCode.Unauthorized), "the same answer whether the site exists or not");
        Assert.That(await Ask("demo", "ak_" + new string('0', 64)), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await Ask("demo", otherKey), Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await Ask("no-such-site", demoKey), Is.EqualTo(HttpStatusCode.Forbidden), "a key learns nothing about sites it may not read");
        Assert.That(await Ask("demo", shareKey), Is.EqualTo(HttpStatusCode.Forbidden), "a shared link's filter and threshold do not apply here");
        Assert.That(await Ask("demo", demoKey), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Ask("demo", adminKey), Is.EqualTo(HttpStatusCode.OK), "an admin key reads all a stats key reads");
    }
}
