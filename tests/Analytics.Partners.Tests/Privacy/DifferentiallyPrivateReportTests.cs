using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>A DP report end to end in a host: reruns through the operator API, downloads, listing, budget refusal.</summary>
public class DifferentiallyPrivateReportTests
{
    private static readonly DateOnly Day = new(2026, 11, 28);

    /// <summary>True bounded cells (country, visitors, pageviews): large ones, and two a single run must not reveal.</summary>
    private static readonly (string Country, long Visitors, long Pageviews)[] Truth =
        [("FR", 800, 2100), ("DE", 300, 650), ("IT", 120, 260), ("ES", 60, 150), ("PT", 1, 3), ("BE", 2, 4)];

    private static Dictionary<string, string?> Settings(string storePath, string mechanism)
    {
        var settings = PartnersApp.TwoPartners(storePath);
        // Only the runs the test makes spend the budget.
        settings["Partners:SchedulerEnabled"] = "false";
        settings["Partners:Partners:0:Reports:0:Privacy:Mode"] = "DifferentialPrivacy";
        settings["Partners:Partners:0:Reports:0:Privacy:Mechanism"] = mechanism;
        settings["Partners:Partners:0:Reports:0:Privacy:Epsilon"] = "1";
        settings["Partners:Partners:0:Reports:0:Privacy:Delta"] = "0.000001";
        settings["Partners:Partners:0:Reports:0:Privacy:MaxContributionsPerVisitor"] = "3";
        settings["Partners:Partners:0:Reports:0:Privacy:MaxCellsPerVisitor"] = "1";
        settings["Partners:Partners:0:PrivacyBudget:Epsilon"] = "2";
        settings["Partners:Partners:0:PrivacyBudget:Delta"] = "0.00001";
        return settings;
    }

    [TestCase("DiscreteLaplace", "discrete-laplace")]
    [TestCase("DiscreteGaussian", "discrete-gaussian")]
    public async Task A_dp_report_differs_between_seeds_stays_within_its_accuracy_and_the_third_run_is_refused(string mechanism, string published)
    {
        var contributions = new FakeContributionSource();
        contributions.Cells.AddRange(Truth.Select(t => new AggregateRow(Day, ["demo", t.Country], t.Visitors, [t.Pageviews])));
        var random = new SeededRandomSource(1001);
        await using var app = await PartnersApp.StartAsync(Settings(PartnersApp.NewStorePath(), mechanism), new FakeAggregateSource(), services: s =>
            s.AddSingleton<IContributionSource>(contributions).AddSingleton<IRandomSource>(random));
        using var operatorClient = app.Client(PartnersApp.OperatorKey);
        using var acme = app.Client(PartnersApp.AcmeKey);

        var first = await RunAndDownloadAsync(operatorClient, acme);
        random.Reseed(2002);
        var second = await RunAndDownloadAsync(operatorClient, acme);
        using var third = await RerunAsync(operatorClient);

        Assert.That(first, Is.Not.EqualTo(second), "two seeds give two different noisy reports");
        using var listing = JsonDocument.Parse(await acme.GetStringAsync("/api/partners/acme/reports"));
        var privacy = listing.RootElement.GetProperty("reports")[0].GetProperty("privacy");
        Assert.Multiple(() =>
        {
            Assert.That(privacy.GetProperty("mechanism").GetString(), Is.EqualTo(published));
            Assert.That(privacy.GetProperty("epsilon").GetDecimal(), Is.EqualTo(1m));
            Assert.That(privacy.GetProperty("delta").GetDecimal(), Is.EqualTo(0.000001m));
            Assert.That(privacy.GetProperty("max_contributions_per_visitor").GetInt32(), Is.EqualTo(3));
            Assert.That(privacy.GetProperty("max_cells_per_visitor").GetInt32(), Is.EqualTo(1));
            Assert.That(privacy.GetProperty("metric_sensitivity").GetInt64(), Is.EqualTo(3));
        });
        long visitorsBound, pageviewsBound;
        if (mechanism == "DiscreteLaplace")
        {
            // Visitors and pageviews share ε = 1: scale 1 · 2 / 1 = 2 for visitors, 3 · 2 / 1 = 6 for pageviews.
            visitorsBound = LaplaceBound(2);
            pageviewsBound = LaplaceBound(6);
        }
        else
        {
            // σ is checked against the accounting in GaussianCalibrationTests; here: published, within ε, σ·M on pageviews.
            var sigma = privacy.GetProperty("visitors_scale").GetDecimal();
            Assert.That(privacy.GetProperty("metric_scale").GetDecimal(), Is.EqualTo(sigma * 3));
            Assert.That(privacy.GetProperty("accounted_epsilon").GetDouble(), Is.LessThanOrEqualTo(1));
            Assert.That(privacy.GetProperty("rho").GetDouble(), Is.GreaterThan(0));
            Assert.That(privacy.GetProperty("noise_delta").GetDecimal() + privacy.GetProperty("threshold_delta").GetDecimal(), Is.EqualTo(0.000001m));
            visitorsBound = GaussianBound((double)sigma);
            pageviewsBound = GaussianBound((double)sigma * 3);
        }
        TestContext.Out.WriteLine($"{mechanism}: noise bounds ±{visitorsBound} visitors, ±{pageviewsBound} pageviews");
        foreach (var report in new[] { first, second })
        {
            foreach (var (country, visitors, pageviews) in Truth)
            {
                if (visitors < 10)
                {
                    Assert.That(report.ContainsKey(country), Is.False, $"{country} ({visitors} visitors) is below any threshold a δ of 1e-6 allows");
                    continue;
                }
                Assert.That(report, Contains.Key(country));
                Assert.That(report[country].Visitors, Is.EqualTo(visitors).Within(visitorsBound), country);
                Assert.That(report[country].Pageviews, Is.EqualTo(pageviews).Within(pageviewsBound), country);
            }
        }

        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var problem = await third.Content.ReadAsStringAsync();
        Assert.That(problem, Does.Contain("Privacy budget exceeded").And.Contain("acme").And.Contain("2026-11-28"));
        using var audit = JsonDocument.Parse(await operatorClient.GetStringAsync("/api/partners-admin/audit?partner=acme"));
        Assert.That(audit.RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()).Where(a => a != "downloaded"),
            Is.EqualTo(new[] { "generated", "generated", "refused" }));
        var sidecar = await File.ReadAllTextAsync(Path.Combine(app.StorePath, "reports", "acme", "daily", "2026-11-28.json"));
        Assert.That(sidecar, Does.Contain($"\"privacy\":{{\"mechanism\":\"{published}\""));
    }

    /// <summary>h with P(|Z| > h) = 2a^(h+1) / (1 + a) below 1e-9 for each number: the run cannot fail by chance.</summary>
    private static long LaplaceBound(double scale)
    {
        var a = Math.Exp(-1 / scale);
        var h = 0L;
        while (2 * Math.Pow(a, h + 1) / (1 + a) > 1e-9)
        {
            h++;
        }
        return h;
    }

    /// <summary>h with P(|Z| > h) below 1e-9 for a discrete Gaussian of parameter σ, from its mass function summed.</summary>
    private static long GaussianBound(double sigma)
    {
        double Weight(long z) => Math.Exp(-(double)z * z / (2 * sigma * sigma));
        var reach = (long)Math.Ceiling(40 * sigma) + 2;
        var norm = 1 + (2 * Enumerable.Range(1, (int)reach).Sum(z => Weight(z)));
        var h = reach;
        var outside = 0.0;
        while (h > 0 && outside + (2 * Weight(h) / norm) <= 1e-9)
        {
            outside += 2 * Weight(h) / norm;
            h--;
        }
        return h;
    }

    private static Task<HttpResponseMessage> RerunAsync(HttpClient operatorClient) =>
        operatorClient.PostAsync("/api/partners-admin/reruns",
            new StringContent("""{"partner":"acme","report":"daily","from":"2026-11-28","to":"2026-11-28"}""", Encoding.UTF8, "application/json"));

    private static async Task<Dictionary<string, (long Visitors, long Pageviews)>> RunAndDownloadAsync(HttpClient operatorClient, HttpClient acme)
    {
        using var rerun = await RerunAsync(operatorClient);
        Assert.That(rerun.StatusCode, Is.EqualTo(HttpStatusCode.OK), await rerun.Content.ReadAsStringAsync());
        var csv = await acme.GetStringAsync("/api/partners/acme/reports/daily/2026-11-28");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',').ToList();
        var cells = new Dictionary<string, (long, long)>();
        foreach (var fields in lines.Skip(1).Select(l => l.Split(',')).Where(f => f[header.IndexOf("row_type")] == "cell"))
        {
            cells[fields[header.IndexOf("country")]] = (long.Parse(fields[header.IndexOf("visitors")]), long.Parse(fields[header.IndexOf("pageviews")]));
        }
        return cells;
    }
}
