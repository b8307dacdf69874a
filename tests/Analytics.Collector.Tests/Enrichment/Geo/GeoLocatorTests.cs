using System.Net;
using System.Text.Json;
using Analytics.Collector.Enrichment.Geo;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Tests.Enrichment.Geo;

public class GeoLocatorTests
{
    private readonly List<string> _temporaryFiles = [];

    [TearDown]
    public void DeleteTemporaryFiles()
    {
        foreach (var file in _temporaryFiles)
        {
            File.Delete(file);
        }
    }

    [TestCase("GeoIP2-City-Test")]
    [TestCase("GeoLite2-City-Test")]
    [TestCase("GeoIP2-Country-Test")]
    public void Answers_match_maxminds_test_data_exactly(string name)
    {
        using var locator = Started(TestDatabase(name + ".mmdb"));
        var expected = ExpectedAnswers(TestDatabase(name + ".json"), hasCities: name.Contains("City", StringComparison.Ordinal));

        var wrong = expected
            .Select(e => (e.Address, e.Answer, Actual: locator.Locate(e.Address)))
            .Where(r => r.Actual != r.Answer)
            .Select(r => $"{r.Address}: expected {r.Answer}, got {r.Actual}")
            .ToList();

        TestContext.Out.WriteLine($"{name}: {expected.Count - wrong.Count} of {expected.Count} networks answered exactly "
            + $"({expected.Count(e => e.Answer.City.Length > 0)} with a city, {expected.Count(e => e.Answer.Region.Length > 0)} with a region)");
        Assert.That(expected, Has.Count.GreaterThan(100));
        Assert.That(wrong, Is.Empty);
    }

    [TestCase("81.2.69.160", "GB", "GB-ENG", "London")]
    [TestCase("216.160.83.56", "US", "US-WA", "Milton")]
    [TestCase("2001:218::1", "JP", "", "")]
    [TestCase("::ffff:81.2.69.160", "GB", "GB-ENG", "London")]
    public void Well_known_test_addresses_are_located(string address, string country, string region, string city)
    {
        using var locator = Started(TestDatabase("GeoIP2-City-Test.mmdb"));

        Assert.That(locator.Locate(IPAddress.Parse(address)), Is.EqualTo(new GeoLocation(country, region, city)));
    }

    [TestCase("127.0.0.1")]
    [TestCase("10.1.2.3")]
    [TestCase("192.168.0.10")]
    [TestCase("172.20.1.1")]
    [TestCase("100.64.0.1")]
    [TestCase("169.254.1.1")]
    [TestCase("::1")]
    [TestCase("fd00::1")]
    [TestCase("fe80::1")]
    [TestCase("2001:db8::1")]
    [TestCase("::ffff:10.0.0.1")]
    public void Private_loopback_and_unroutable_addresses_are_unknown(string address)
    {
        using var locator = Started(TestDatabase("GeoIP2-City-Test.mmdb"));

        Assert.That(AddressScope.IsPublic(IPAddress.Parse(address)), Is.False);
        Assert.That(locator.Locate(IPAddress.Parse(address)), Is.SameAs(GeoLocation.Unknown));
    }

    [Test]
    public void A_missing_database_fails_start_up_with_a_message_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N") + ".mmdb");
        using var locator = Locator(new GeoOptions { DatabasePath = path });

        var e = Assert.Throws<GeoDatabaseException>(locator.Start);
        Assert.That(e!.Message, Does.Contain(path).And.Contain("Enrichment:Geo:ContinueWithoutDatabase"));
    }

    [TestCase("bad-GeoIP2-City-Test-Invalid-Node-Count.mmdb")]
    [TestCase("bad-invalid-data-record-offset.mmdb")]
    [TestCase("GeoLite2-ASN-Test.mmdb")]
    public void A_corrupt_or_wrong_database_fails_start_up(string file)
    {
        using var locator = Locator(new GeoOptions { DatabasePath = TestDatabase(file) });

        var e = Assert.Throws<GeoDatabaseException>(locator.Start);
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain(file));
    }

    [TestCase("bad-GeoIP2-City-Test-Invalid-Node-Count.mmdb")]
    [TestCase("bad-invalid-data-record-offset.mmdb")]
    public void A_corrupt_database_can_be_configured_to_start_with_geo_disabled(string file)
    {
        using var locator = Locator(new GeoOptions { DatabasePath = TestDatabase(file), ContinueWithoutDatabase = true });

        locator.Start();

        Assert.That(locator.IsEnabled, Is.False);
        Assert.That(locator.Locate(IPAddress.Parse("81.2.69.160")), Is.SameAs(GeoLocation.Unknown));
    }

    [Test]
    public void A_replaced_database_file_is_picked_up_while_running()
    {
        var path = CopyToTemporary("GeoIP2-Country-Test.mmdb");
        using var locator = Started(path, TimeSpan.FromMilliseconds(20));
        var address = IPAddress.Parse("81.2.69.160");
        Assume.That(locator.Locate(address), Is.EqualTo(new GeoLocation("GB", "", "")));

        Replace(path, "GeoIP2-City-Test.mmdb");

        Assert.That(WaitFor(() => locator.Locate(address).City == "London"), Is.True, "the new database was not taken within the deadline");
        Assert.That(locator.Locate(address), Is.EqualTo(new GeoLocation("GB", "GB-ENG", "London")));
    }

    [Test]
    public void A_corrupt_replacement_is_refused_and_the_current_database_kept()
    {
        var path = CopyToTemporary("GeoIP2-City-Test.mmdb");
        using var locator = Started(path, TimeSpan.FromHours(1));

        Replace(path, "bad-GeoIP2-City-Test-Invalid-Node-Count.mmdb");

        Assert.That(locator.CheckForReplacement(), Is.False);
        Assert.That(locator.Locate(IPAddress.Parse("81.2.69.160")).City, Is.EqualTo("London"));
    }

    [Test]
    public void A_database_that_appears_later_switches_geo_on()
    {
        var path = Path.Combine(Path.GetTempPath(), "geo-" + Guid.NewGuid().ToString("N") + ".mmdb");
        _temporaryFiles.Add(path);
        using var locator = Locator(new GeoOptions { DatabasePath = path, ContinueWithoutDatabase = true, ReloadCheckInterval = TimeSpan.FromHours(1) });
        locator.Start();
        Assume.That(locator.IsEnabled, Is.False);

        File.Copy(TestDatabase("GeoIP2-City-Test.mmdb"), path);

        Assert.That(locator.CheckForReplacement(), Is.True);
        Assert.That(locator.Locate(IPAddress.Parse("81.2.69.160")).Country, Is.EqualTo("GB"));
    }

    internal static string TestDatabase(string file) => TestData.PathOf(Path.Combine("geoip", file));

    internal static GeoLocator Locator(GeoOptions options) => new(Options.Create(options), NullLogger<GeoLocator>.Instance);

    private static GeoLocator Started(string path, TimeSpan? reloadCheck = null)
    {
        var locator = Locator(new GeoOptions { DatabasePath = path, ReloadCheckInterval = reloadCheck ?? TimeSpan.FromHours(1) });
        locator.Start();
        return locator;
    }

    private string CopyToTemporary(string file)
    {
        var path = Path.Combine(Path.GetTempPath(), "geo-" + Guid.NewGuid().ToString("N") + ".mmdb");
        File.Copy(TestDatabase(file), path);
        _temporaryFiles.Add(path);
        return path;
    }

    private static void Replace(string path, string file)
    {
        var before = File.GetLastWriteTimeUtc(path);
        File.Copy(TestDatabase(file), path, overwrite: true);
        // Some file systems keep whole-second times: make the change visible whatever the granularity.
        File.SetLastWriteTimeUtc(path, before.AddSeconds(5));
    }

    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            Thread.Yield();
            Task.Delay(10).GetAwaiter().GetResult();
        }
        return true;
    }

    /// <summary>
    /// Reads MaxMind's source JSON: for the first address of each network, the answer of the most specific
    /// network that holds it (networks nest), or unknown where the address is not public.
    /// </summary>
    private static List<(IPAddress Address, GeoLocation Answer)> ExpectedAnswers(string jsonPath, bool hasCities)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var networks = json.RootElement.EnumerateArray()
            .SelectMany(o => o.EnumerateObject())
            .Select(p => (Network: IPNetwork.Parse(p.Name), Answer: Answer(p.Value, hasCities)))
            .ToList();
        return networks
            .Select(n => n.Network.BaseAddress)
            .Distinct()
            .Select(address => (address, AddressScope.IsPublic(address)
                ? networks.Where(n => n.Network.Contains(address)).MaxBy(n => n.Network.PrefixLength).Answer
                : GeoLocation.Unknown))
            .ToList();
    }

    private static GeoLocation Answer(JsonElement record, bool hasCities)
    {
        var country = record.TryGetProperty("country", out var c) && c.TryGetProperty("iso_code", out var iso) ? iso.GetString()! : "";
        var region = hasCities && country.Length > 0 && record.TryGetProperty("subdivisions", out var s) && s.GetArrayLength() > 0
            && s[0].TryGetProperty("iso_code", out var sub) ? country + "-" + sub.GetString() : "";
        var city = hasCities && record.TryGetProperty("city", out var ci) && ci.TryGetProperty("names", out var names)
            && names.TryGetProperty("en", out var en) ? en.GetString()! : "";
        return country.Length == 0 && region.Length == 0 && city.Length == 0 ? GeoLocation.Unknown : new GeoLocation(country, region, city);
    }
}
