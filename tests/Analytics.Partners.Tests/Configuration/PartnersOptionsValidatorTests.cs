using Analytics.Partners.Api;
using Analytics.Partners.Configuration;
using Analytics.Pipeline.Sites;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Analytics.Partners.Tests.Configuration;

public class PartnersOptionsValidatorTests
{
    private static readonly string Hash = PartnerKeys.Hash("key-a");

    /// <summary>Binds settings the way the host does and returns the start-up error, or null.</summary>
    private static string? StartError(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddPartners().BuildServiceProvider();
        try
        {
            _ = services.GetRequiredService<IOptions<PartnersOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Partners:Partners:0:Id"] = "acme",
        ["Partners:Partners:0:KeySha256"] = Hash,
        ["Partners:Partners:0:Reports:0:Id"] = "daily",
        ["Partners:Partners:0:Reports:0:Sites:0"] = "demo",
        ["Partners:Partners:0:Reports:0:Dimensions:0"] = "country",
        ["Partners:Partners:0:Reports:0:Schedule:TimeZone"] = "Europe/Paris",
        ["Partners:Partners:0:Reports:0:Schedule:At"] = "02:30",
    };

    [Test]
    public void A_valid_partner_starts()
    {
        Assert.That(StartError(Valid()), Is.Null);
    }

    [TestCase("Partners:Partners:0:Reports:0:Dimensions:0", "visitor_id", "Partners:Partners:0:Reports:0:Dimensions:0 'visitor_id' is not a dimension")]
    [TestCase("Partners:Partners:0:Reports:0:Metrics:0", "ip", "Partners:Partners:0:Reports:0:Metrics:0 'ip' is not a metric")]
    [TestCase("Partners:Partners:0:K", "3", "Partners:Partners:0:K (3) is below the global floor Partners:MinimumK (5)")]
    [TestCase("Partners:Partners:0:KeySha256", "secret", "Partners:Partners:0:KeySha256 must be 64 hex digits")]
    [TestCase("Partners:Partners:0:Reports:0:Schedule:TimeZone", "Mars/Olympus", "Partners:Partners:0:Reports:0:Schedule:TimeZone 'Mars/Olympus' is not a known time zone")]
    [TestCase("Partners:Partners:0:Reports:0:Dimensions:1", "path", "Partners:Partners:0:Reports:0: no rollup holds all of its dimensions")]
    [TestCase("Partners:Partners:0:Push:Url", "http://partner.example/hook", "Partners:Partners:0:Push:Url must be an absolute https:// URL")]
    [TestCase("Partners:Partners:0:Coarsen:country", "city", "Partners:Partners:0:Coarsen:country = 'city' is not a known coarsening")]
    [TestCase("Partners:Partners:0:Reports:0:Filters:visitor_id", "x", "Partners:Partners:0:Reports:0:Filters:visitor_id is not a dimension")]
    [TestCase("Partners:Partners:0:Id", "../etc", "Partners:Partners:0:Id must be 1-64 letters")]
    [TestCase("Partners:DefaultK", "4", "Partners:DefaultK (4) is below Partners:MinimumK (5)")]
    public void A_bad_setting_fails_at_start_with_a_message_naming_its_key(string key, string value, string message)
    {
        var settings = Valid();
        settings[key] = value;

        Assert.That(StartError(settings), Does.Contain(message));
    }

    /// <summary>A week minus its six published days is the seventh: withheld cells come back by subtraction.</summary>
    [Test]
    public void A_partner_cannot_get_one_site_by_day_and_by_week_unless_one_report_is_differentially_private()
    {
        var settings = Valid();
        settings["Partners:Partners:0:Reports:1:Id"] = "weekly";
        settings["Partners:Partners:0:Reports:1:Sites:0"] = "demo";
        settings["Partners:Partners:0:Reports:1:Dimensions:0"] = "country";
        settings["Partners:Partners:0:Reports:1:Granularity"] = "Window";
        settings["Partners:Partners:0:Reports:1:Window"] = "PreviousWeek";
        settings["Partners:Partners:0:Reports:1:Schedule:TimeZone"] = "Europe/Paris";
        settings["Partners:Partners:0:Reports:1:Schedule:At"] = "03:00";

        var mixed = StartError(settings);
        settings["Partners:Partners:0:Reports:1:Sites:0"] = "shop";
        var otherSite = StartError(settings);
        settings["Partners:Partners:0:Reports:1:Sites:0"] = "demo";
        settings["Partners:Partners:0:Reports:1:Granularity"] = "Day";
        var daysOfTheWeek = StartError(settings);
        settings["Partners:Partners:0:Reports:1:Granularity"] = "Window";
        settings["Partners:Partners:0:Reports:1:Metrics:0"] = "visitors";
        settings["Partners:Partners:0:Reports:1:Privacy:Mode"] = "DifferentialPrivacy";
        settings["Partners:Partners:0:PrivacyBudget:Epsilon"] = "5";
        settings["Partners:Partners:0:PrivacyBudget:Delta"] = "0.00001";
        var weekWithNoise = StartError(settings);

        Assert.That(mixed, Does.Contain("Partners:Partners:0:Reports:1 ('weekly', periods of a week) and Partners:Partners:0:Reports:0 ('daily', periods of a day) cover site 'demo'"));
        Assert.That(mixed, Does.Contain("Privacy:Mode DifferentialPrivacy"));
        Assert.That(otherSite, Is.Null, "different sites share no cell");
        Assert.That(daysOfTheWeek, Is.Null, "a weekly run by day publishes the same days as the daily one");
        Assert.That(weekWithNoise, Is.Null, "noise composes; the budget pays for both");
    }

    [Test]
    public void A_push_url_needs_a_long_secret_and_two_partners_cannot_share_a_key()
    {
        var settings = Valid();
        settings["Partners:Partners:0:Push:Url"] = "https://partner.example/hook";
        settings["Partners:Partners:0:Push:Secret"] = "short";
        settings["Partners:Partners:1:Id"] = "other";
        settings["Partners:Partners:1:KeySha256"] = Hash.ToUpperInvariant();

        var error = StartError(settings);

        Assert.That(error, Does.Contain("Partners:Partners:0:Push:Secret must be at least 32 characters"));
        Assert.That(error, Does.Contain("Partners:Partners:1:KeySha256 is the same as another partner's"));
    }

    [Test]
    public void Coarsening_applies_before_the_rollup_is_chosen_and_k_never_drops_below_the_floor()
    {
        var partner = new PartnerOptions { Id = "acme", K = 2, Coarsen = new Dictionary<string, string> { ["city"] = "country", ["path"] = "site" } };
        var report = new ReportOptions { Id = "r", Sites = ["demo"], Dimensions = ["city", "country"] };
        var directory = new PartnerDirectory(Options.Create(new PartnersOptions { MinimumK = 5 }));

        var query = PartnerDirectory.QueryFor(partner, report, default);

        Assert.That(query.Dimensions, Is.EqualTo(new[] { "site", "country" }));
        Assert.That(directory.KFor(partner), Is.EqualTo(5));
        Assert.That(directory.KFor(partner with { K = null }), Is.EqualTo(10));
        var sites = new EditableSites();
        sites.Set(new SiteSettings("demo", "UTC", 395, 25, new HashSet<string>()));
        var withSites = new PartnerDirectory(Options.Create(new PartnersOptions()), sites);
        Assert.That(withSites.KFor(partner, report), Is.EqualTo(25), "a site's owner may ask for a higher k than the partner's");
        Assert.That(withSites.KFor(partner, report with { Sites = ["other"] }), Is.EqualTo(5));
        sites.Set(new SiteSettings("demo", "UTC", 395, 40, new HashSet<string>()));
        Assert.That(withSites.KFor(partner, report), Is.EqualTo(40), "read at each run, so an edited sites file applies");
    }
}
