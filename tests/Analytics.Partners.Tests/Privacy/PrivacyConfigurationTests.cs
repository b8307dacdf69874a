using Analytics.Partners.Api;
using Analytics.Partners.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Analytics.Partners.Tests.Privacy;

public class PrivacyConfigurationTests
{
    private const string Report = "Partners:Partners:0:Reports:0";

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

    private static Dictionary<string, string?> DpReport() => new()
    {
        ["Partners:Partners:0:Id"] = "acme",
        ["Partners:Partners:0:KeySha256"] = PartnerKeys.Hash("key-a"),
        ["Partners:Partners:0:PrivacyBudget:Epsilon"] = "2",
        ["Partners:Partners:0:PrivacyBudget:Delta"] = "0.00001",
        [$"{Report}:Id"] = "daily",
        [$"{Report}:Sites:0"] = "demo",
        [$"{Report}:Dimensions:0"] = "path",
        [$"{Report}:Dimensions:1"] = "country",
        [$"{Report}:Privacy:Mode"] = "DifferentialPrivacy",
        [$"{Report}:Privacy:Epsilon"] = "1",
        [$"{Report}:Privacy:Delta"] = "0.000001",
    };

    [Test]
    public void A_dp_report_may_combine_dimensions_no_single_rollup_holds()
    {
        Assert.That(StartError(DpReport()), Is.Null);
    }

    [Test]
    public void A_dp_report_may_ask_for_the_discrete_gaussian()
    {
        var settings = DpReport();
        settings[$"{Report}:Privacy:Mechanism"] = "DiscreteGaussian";

        Assert.That(StartError(settings), Is.Null);
    }

    [TestCase("Privacy:Epsilon", "0", $"{Report}:Privacy:Epsilon")]
    [TestCase("Privacy:Delta", "0", $"{Report}:Privacy:Delta")]
    [TestCase("Privacy:MaxContributionsPerVisitor", "0", $"{Report}:Privacy:MaxContributionsPerVisitor")]
    [TestCase("Privacy:MaxCellsPerVisitor", "0", $"{Report}:Privacy:MaxCellsPerVisitor")]
    [TestCase("Metrics:0", "bounces", $"{Report}:Metrics: 'bounces'")]
    [TestCase("Privacy:Epsilon", "3", "Partners:Partners:0:PrivacyBudget")]
    [TestCase("Privacy:Mechanism", "7", $"{Report}:Privacy:Mechanism")]
    public void A_bad_privacy_setting_stops_the_start_naming_its_key(string key, string value, string named)
    {
        var settings = DpReport();
        settings[$"{Report}:{key}"] = value;

        Assert.That(StartError(settings), Does.Contain(named));
    }
}
