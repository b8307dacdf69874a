using System.Net;

namespace Analytics.Analysts.Tests.Privacy;

/// <summary>Issue 15, finding 9: campaign values (chosen by whoever writes a link) cannot run as formulas in an exported CSV.</summary>
public sealed class CsvInjectionTests
{
    [Test]
    public async Task Csv_exports_defuse_formula_cells_as_owasp_advises()
    {
        await using var host = await StatsHost.StartAsync();
        var day = new DateTime(2026, 3, 10, 10, 0, 0, DateTimeKind.Utc);
        string[] campaigns = ["=HYPERLINK(\"http://evil.example\")", "+1", "-1", "@SUM(A1)", " =1+1", "\uFF1D1+1", "a;=1+1", "plain"];
        await host.SeedAsync([.. campaigns.Select((c, i) => Fixtures.Page("csv", Guid.CreateVersion7(), day.AddMinutes(i), "/", campaign: c))]);
        using var client = host.Client(host.NewKey("csv"));

        using var response = await client.GetAsync("/api/v2/breakdown?site_id=csv&date_range=2026-03-10,2026-03-10&metrics=visitors&dimension=utm_campaign&order_by=utm_campaign:asc&format=csv");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), csv);
        var cells = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line[..line.LastIndexOf(',')]).ToList();
        Assert.That(cells, Is.EquivalentTo(new[]
        {
            "\"'=HYPERLINK(\"\"http://evil.example\"\")\"", "'+1", "'-1", "'@SUM(A1)", "' =1+1", "'\uFF1D1+1", "\"a;=1+1\"", "plain",
        }));
    }
}
