using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;

namespace Analytics.Collector.Tests.Sites;

/// <summary>The managed registry: seeded, validated on write, audited, shared by writers in parallel, followed by a running collector.</summary>
public class SiteStoreTests
{
    private string _folder = "";

    private string StorePath => Path.Combine(_folder, "sites.json");

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "analytics-sitestore-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private SiteStore NewStore(params SiteOptions[] seed) => new(new SitesOptions { StorePath = StorePath, Sites = seed });

    [Test]
    public void The_first_change_keeps_the_seeded_sites_and_later_ones_read_the_registry_not_the_seed()
    {
        var seeded = NewStore(new SiteOptions { Id = "seeded", Hosts = ["seeded.example"] });

        seeded.Add("added", new SitePatch { Hosts = ["added.example"] }, "test");
        var withOtherSeed = NewStore(new SiteOptions { Id = "other", Hosts = ["other.example"] });

        Assert.That(SitesFile.Read(StorePath).Sites.Select(s => s.Id), Is.EqualTo(new[] { "seeded", "added" }));
        Assert.That(withOtherSeed.List().Select(s => s.Id), Is.EqualTo(new[] { "seeded", "added" }));
    }

    [Test]
    public void An_invalid_change_is_refused_with_the_setting_named_and_nothing_is_written()
    {
        var store = NewStore(new SiteOptions { Id = "seeded", Hosts = ["seeded.example"] });

        var error = Assert.Throws<SiteChangeException>(() => store.Add("shop", new SitePatch { Hosts = ["shop.example"], TimeZone = "Mars/Olympus", KThreshold = 0 }, "test"));

        Assert.That(error!.Message, Is.EqualTo("site 'shop': TimeZone 'Mars/Olympus' is not a known IANA time zone; KThreshold must be between 1 and 1000"));
        Assert.That(File.Exists(StorePath), Is.False);
        Assert.That(File.Exists(SiteAudit.PathBeside(StorePath)), Is.False);
    }

    [Test]
    public void Each_change_is_audited_with_who_what_when_and_the_old_and_new_values()
    {
        var store = NewStore();
        var before = DateTimeOffset.UtcNow;

        store.Add("shop", new SitePatch { Hosts = ["shop.example"] }, "cli:alice");
        store.Set("shop", new SitePatch { KThreshold = 25, TimeZone = "UTC" }, "api:k_1234");
        store.Set("shop", new SitePatch { KThreshold = 25 }, "api:k_1234");
        store.Remove("shop", "cli:bob");

        var entries = SiteAudit.Read(StorePath).ToList();
        Assert.That(entries.Select(e => (e.Actor, e.Action, e.Site)), Is.EqualTo(new[]
        {
            ("cli:alice", "add", "shop"), ("api:k_1234", "set", "shop"), ("cli:bob", "remove", "shop"),
        }), "a change that changes nothing is not audited");
        Assert.That(entries.Select(e => e.At), Has.All.InRange(before, DateTimeOffset.UtcNow));
        Assert.That(entries[1].Changes!.Keys, Is.EqualTo(new[] { "KThreshold" }), "only what changed");
        Assert.That(entries[1].Changes!["KThreshold"].Select(v => v?.ToString()), Is.EqualTo(new[] { "10", "25" }));
        Assert.That(SitesFile.Read(StorePath).Sites, Is.Empty);
    }

    [Test]
    public void Writers_in_parallel_lose_no_change()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var ids = Enumerable.Range(0, 40).Select(i => $"site-{i}-{random.Next(1000)}").ToList();

        // A store per writer, as the CLI in another process and the host's API would each have.
        Parallel.ForEach(ids, new ParallelOptions { MaxDegreeOfParallelism = 4 }, id => NewStore().Add(id, new SitePatch { Hosts = [id + ".example"] }, "test"));

        Assert.That(SitesFile.Read(StorePath).Sites.Select(s => s.Id), Is.EquivalentTo(ids));
        Assert.That(SiteAudit.Read(StorePath).Count(), Is.EqualTo(ids.Count));
    }

    [Test]
    public void Without_a_registry_path_changes_are_refused()
    {
        var store = new SiteStore(new SitesOptions());

        var error = Assert.Throws<SiteChangeException>(() => store.Add("shop", new SitePatch { Hosts = ["shop.example"] }, "test"));

        Assert.That(error!.Message, Does.Contain("Sites:StorePath"));
    }

    [Test]
    public async Task A_running_collector_accepts_a_site_another_writer_adds_and_rejects_one_it_removes()
    {
        await using var server = await CollectorServer.StartAsync("--Sites:StorePath=" + StorePath);
        var sites = server.App.Services.GetRequiredService<SiteRegistry>();
        using var browser = server.NewBrowser();
        using var before = await browser.GetAsync("/i.gif?site=late&url=http%3A%2F%2Flate.example%2F");

        // Another process's store: the collector only sees the file change.
        new SiteStore(new SitesOptions { StorePath = StorePath }).Add("late", new SitePatch { Hosts = ["late.example"] }, "test");
        await WaitUntil(() => sites.TryGet("late", out _), "the added site to be read");
        using var after = await browser.GetAsync("/i.gif?site=late&url=http%3A%2F%2Flate.example%2F");
        new SiteStore(new SitesOptions { StorePath = StorePath }).Remove("late", "test");
        await WaitUntil(() => !sites.TryGet("late", out _), "the removal to be read");
        using var removed = await browser.GetAsync("/i.gif?site=late&url=http%3A%2F%2Flate.example%2F");

        Assert.That(server.Sink.Hits.Select(h => h.SiteId), Is.EqualTo(new[] { "late" }));
        Assert.That(server.Metrics.RejectedCount(DropReason.UnknownSite), Is.EqualTo(2));
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
}
