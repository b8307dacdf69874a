using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Analytics.Analysts.Access;
using Analytics.Collector.Links;
using Analytics.Host.Cli;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Tests.Collector;

[NonParallelizable]
public class LinkClickTests
{
    [Test]
    public async Task A_link_signed_by_the_cli_redirects_and_its_click_is_stored_for_the_campaign()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var host = await RunningHost.StartAsync(null, "--Signing:Keys:0=" + key);
        var link = await SignWithCliAsync("--site", "demo", "--campaign", "spring-news", "--to", "https://www.example.com/offer?ref=mail",
            "--collector", host.Address.ToString(), "--Signing:Keys:0=" + key);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var response = await browser.GetAsync(link);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location, Is.EqualTo(new Uri("https://www.example.com/offer?ref=mail")));
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string stored;
        do
        {
            stored = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
                $"SELECT link_campaign, link_target, toString(visitor_id) AS visitor FROM {clickHouse.Database}.hits WHERE kind = 3", "TSV")).Trim();
            if (stored.Length > 0 || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(25);
        }
        while (true);
        Assert.That(stored, Is.EqualTo("spring-news\thttps://www.example.com/offer\t00000000-0000-0000-0000-000000000000"));
    }

    [Test]
    public async Task The_api_signs_links_only_for_a_stats_or_admin_key_of_that_site()
    {
        var dataPath = RunningHost.NewDataPath();
        await using var host = await RunningHost.StartAsync(dataPath, "--Analysts:KeysPath=" + Path.Combine(dataPath, "keys.json"));
        var keys = host.App.Services.GetRequiredService<ApiKeyStore>();
        var demoKey = keys.Create(["demo"], "newsletter").Secret;
        var otherKey = keys.Create(["other"], "someone else").Secret;
        var shareKey = keys.Create(["demo"], "shared dashboard", ApiKeyKinds.Share).Secret;
        var adminKey = keys.Create(["demo"], "site admin", ApiKeyKinds.Admin).Secret;
        var body = new { site = "demo", campaign = "spring", to = "https://www.example.com/" };

        async Task<HttpResponseMessage> SignAs(string? key)
        {
            using var client = host.NewBrowser();
            if (key is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            return await client.PostAsJsonAsync("/api/v2/links", body);
        }

        using var signed = await SignAs(demoKey);
        using var anonymous = await SignAs(null);
        using var otherSite = await SignAs(otherKey);
        using var shared = await SignAs(shareKey);
        using var admin = await SignAs(adminKey);

        Assert.That(signed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var link = await signed.Content.ReadFromJsonAsync<LinkApi.SignedLink>();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };
        using var click = await browser.GetAsync(link!.Path);
        Assert.That(click.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(otherSite.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(shared.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.OK), "an admin key does all a stats key does");
    }

    [Test]
    public async Task The_cli_refuses_to_sign_an_unsafe_target()
    {
        var (code, _) = await RunCliAsync("link", "--site", "demo", "--campaign", "x", "--to", "javascript:alert(1)",
            "--Signing:Keys:0=" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        Assert.That(code, Is.EqualTo(2));
    }

    private static async Task<string> SignWithCliAsync(params string[] args)
    {
        var (code, output) = await RunCliAsync(["link", .. args]);
        Assert.That(code, Is.Zero, output);
        return output.Trim();
    }

    private static async Task<(int Code, string Output)> RunCliAsync(params string[] args)
    {
        var output = new StringWriter();
        var invocation = new System.CommandLine.InvocationConfiguration { Output = output, Error = output };
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            var code = await AnalyticsCli.Build().Parse(args).InvokeAsync(invocation);
            return (code, output.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
