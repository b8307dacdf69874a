using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Tests.Sites;

public class SiteRegistryTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "analytics-sites-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes the file whole, as an editor or a deployment tool would (write aside, then rename).</summary>
    private string Write(string json)
    {
        var path = Path.Combine(_folder, "sites.json");
        var temp = path + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out waiting: " + what);
            await Task.Delay(20);
        }
    }

    [Test]
    public async Task Sites_come_from_the_file_and_follow_its_edits_without_a_restart()
    {
        var path = Write("""{ "Sites": [ { "Id": "alpha", "Hosts": [ "localhost" ], "TimeZone": "Europe/Paris", "ConsentMode": "Drop", "RetentionDays": 30, "KThreshold": 5 } ] }""");
        await using var server = await CollectorServer.StartAsync("--Sites:File=" + path);
        var sites = server.App.Services.GetRequiredService<SiteRegistry>();
        using var browser = server.NewBrowser();

        Assert.That(sites.TryGet("alpha", out var alpha), Is.True);
        Assert.That(alpha, Has.Property(nameof(Site.TimeZone)).EqualTo("Europe/Paris").And.Property(nameof(Site.ConsentMode)).EqualTo(ConsentMode.Drop)
            .And.Property(nameof(Site.RetentionDays)).EqualTo(30).And.Property(nameof(Site.KThreshold)).EqualTo(5));
        Assert.That(sites.TryGet("demo", out _), Is.False, "the file replaces the sites listed in configuration");
        using var first = await browser.GetAsync("/i.gif?site=alpha&url=http%3A%2F%2Flocalhost%2F");
        Assert.That(server.Sink.Hits, Has.Count.EqualTo(1));

        Write("""{ "Sites": [ { "Id": "beta", "Hosts": [ "localhost" ] } ] }""");
        await WaitUntil(() => sites.TryGet("beta", out _), "the edit to be picked up");

        using var removed = await browser.GetAsync("/i.gif?site=alpha&url=http%3A%2F%2Flocalhost%2F");
        using var added = await browser.GetAsync("/i.gif?site=beta&url=http%3A%2F%2Flocalhost%2F");
        Assert.That(server.Sink.Hits.Select(h => h.SiteId), Is.EqualTo(new[] { "alpha", "beta" }));
        Assert.That(server.Metrics.RejectedCount(DropReason.UnknownSite), Is.EqualTo(1));
    }

    [Test]
    public async Task Query_parameters_a_site_keeps_in_the_sites_file_stay_in_the_stored_path()
    {
        var path = Write("""{ "Sites": [ { "Id": "alpha", "Hosts": [ "localhost" ], "KeepQueryParameters": [ "page" ] } ] }""");
        await using var server = await CollectorServer.StartAsync("--Sites:File=" + path);
        using var browser = server.NewBrowser();

        using var response = await browser.GetAsync("/i.gif?site=alpha&url=" + Uri.EscapeDataString("http://localhost/list?page=2&session=abc"));

        Assert.That(server.Sink.Hits.Single().Path, Is.EqualTo("/list?page=2"));
    }

    [Test]
    public async Task A_broken_edit_keeps_the_sites_that_were_loaded()
    {
        var path = Write("""{ "Sites": [ { "Id": "alpha", "Hosts": [ "localhost" ] } ] }""");
        await using var server = await CollectorServer.StartAsync("--Sites:File=" + path);
        var sites = server.App.Services.GetRequiredService<SiteRegistry>();

        Write("""{ "Sites": [ { "Id": "has space", "Hosts": [] } ] }""");
        await WaitUntil(() => sites.FailedReloads >= 1, "the invalid edit to be refused");
        Assert.That(sites.TryGet("alpha", out _), Is.True);

        Write("""{ "Sites": [ { "Id": "alpha", "Hosts": [ "localhost" ] }, """);
        await WaitUntil(() => sites.FailedReloads >= 2, "the truncated edit to be refused");
        Assert.That(sites.TryGet("alpha", out _), Is.True);

        Write("""{ "Sites": [ { "Id": "alpha", "Hosts": [ "localhost" ] }, { "Id": "marker", "Hosts": [ "localhost" ] } ] }""");
        await WaitUntil(() => sites.TryGet("marker", out _), "the next valid edit");
    }

    [Test]
    public void A_bad_sites_file_fails_the_start_with_the_problem_named()
    {
        var path = Write("""{ "Sites": [ { "Id": "alpha", "Hosts": [ "localhost" ], "TimeZone": "Mars/Olympus" } ] }""");

        var error = Assert.ThrowsAsync<OptionsValidationException>(async () => await CollectorServer.StartAsync("--Sites:File=" + path));

        Assert.That(error!.Message, Does.Contain("TimeZone 'Mars/Olympus'"));
    }
}
