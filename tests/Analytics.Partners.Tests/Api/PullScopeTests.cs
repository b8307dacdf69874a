using System.Net;
using System.Text.Json;
using Analytics.Partners.Audit;
using Analytics.Partners.Generation;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests.Api;

public class PullScopeTests
{
    private static readonly DateOnly Day = new(2026, 11, 28);

    private static async Task<PartnersApp> StartWithReportsAsync()
    {
        var source = new FakeAggregateSource().Add(Day, 25, 60, "demo", "FR").Add(Day, 3, 4, "demo", "DE").Add(Day, 2, 3, "demo", "IT");
        var settings = PartnersApp.TwoPartners(PartnersApp.NewStorePath());
        settings["Partners:SchedulerEnabled"] = "false";
        var app = await PartnersApp.StartAsync(settings, source);
        var generator = app.Get<ReportGenerator>();
        await generator.GenerateAsync("acme", "daily", new ReportWindow(Day, Day), "test", CancellationToken.None);
        await generator.GenerateAsync("globex", "globex-daily", new ReportWindow(Day, Day), "test", CancellationToken.None);
        return app;
    }

    [Test]
    public async Task A_partner_lists_and_downloads_its_own_report_and_the_download_is_audited()
    {
        await using var app = await StartWithReportsAsync();
        using var acme = app.Client(PartnersApp.AcmeKey);

        using var listing = JsonDocument.Parse(await acme.GetStringAsync("/api/partners/acme/reports"));
        var reports = listing.RootElement.GetProperty("reports").EnumerateArray().ToList();
        Assert.That(reports, Has.Count.EqualTo(1));
        Assert.That(reports[0].GetProperty("report").GetString(), Is.EqualTo("daily"));
        Assert.That(reports[0].GetProperty("withheld_cells").GetInt64(), Is.EqualTo(2));
        var url = reports[0].GetProperty("url").GetString()!;

        using var download = await acme.GetAsync(url);
        var csv = await download.Content.ReadAsStringAsync();

        Assert.That(download.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(download.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        Assert.That(csv, Does.StartWith("schema_version,partner,report,period_start,period_end,row_type,site,country,visitors,pageviews,small_cells,withheld_cells\n"));
        Assert.That(csv, Does.Contain("1,acme,daily,2026-11-28,2026-11-28,cell,demo,FR,25,60,0,0\n"));
        Assert.That(csv, Does.Not.Contain("DE"));
        Assert.That(csv, Does.Not.Contain("IT"));
        Assert.That(csv, Does.Contain("1,acme,daily,2026-11-28,2026-11-28,total,,,30,67,2,2\n"));
        var audit = await app.Get<AuditLog>().ListAsync("acme");
        Assert.That(audit.Select(a => (a.Action, a.Actor)), Is.EqualTo(new[] { ("generated", "test"), ("downloaded", "partner:acme") }));
        Assert.That(audit[1].Sha256, Is.EqualTo(reports[0].GetProperty("sha256").GetString()));
        Assert.That(audit[1].Rows, Is.EqualTo(1));
        Assert.That(audit[1].WithheldCells, Is.EqualTo(2));
    }

    [TestCase(PartnersApp.AcmeKey, "/api/partners/globex/reports", HttpStatusCode.Unauthorized)]
    [TestCase(PartnersApp.AcmeKey, "/api/partners/globex/reports/globex-daily/2026-11-28", HttpStatusCode.Unauthorized)]
    [TestCase(PartnersApp.AcmeKey, "/api/partners/acme/reports/globex-daily/2026-11-28", HttpStatusCode.NotFound)]
    [TestCase(PartnersApp.AcmeKey, "/api/partners/acme/reports/daily/..%2F..%2Fglobex%2Fglobex-daily%2F2026-11-28", HttpStatusCode.NotFound)]
    [TestCase(PartnersApp.AcmeKey, "/api/partners/acme/reports/daily/2026-11-27", HttpStatusCode.NotFound)]
    [TestCase(PartnersApp.GlobexKey, "/api/partners/acme/reports", HttpStatusCode.Unauthorized)]
    [TestCase(PartnersApp.GlobexKey, "/api/partners/acme/reports/daily/2026-11-28", HttpStatusCode.Unauthorized)]
    [TestCase("wrong-key", "/api/partners/acme/reports", HttpStatusCode.Unauthorized)]
    [TestCase(null, "/api/partners/acme/reports", HttpStatusCode.Unauthorized)]
    [TestCase(PartnersApp.AcmeKey, "/api/partners/nobody/reports", HttpStatusCode.Unauthorized)]
    [TestCase(PartnersApp.AcmeKey, "/api/partners-admin/audit", HttpStatusCode.Unauthorized)]
    public async Task One_partner_can_never_list_or_read_another_partners_reports(string? key, string path, HttpStatusCode expected)
    {
        await using var app = await StartWithReportsAsync();
        using var client = app.Client(key);

        using var response = await client.GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("globex-daily").And.Not.Contain("FR"));
    }

    [Test]
    public async Task The_operator_lists_the_audit_and_reruns_a_past_window()
    {
        await using var app = await StartWithReportsAsync();
        using var operatorClient = app.Client(PartnersApp.OperatorKey);

        using var rerun = await operatorClient.PostAsync("/api/partners-admin/reruns",
            new StringContent("""{"partner":"acme","report":"daily","from":"2026-11-01","to":"2026-11-30"}""", System.Text.Encoding.UTF8, "application/json"));
        using var audit = JsonDocument.Parse(await operatorClient.GetStringAsync("/api/partners-admin/audit?partner=acme"));

        Assert.That(rerun.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var entries = audit.RootElement.EnumerateArray().ToList();
        Assert.That(entries.Select(e => e.GetProperty("window").GetString()), Is.EqualTo(new[] { "2026-11-28", "2026-11-01_2026-11-30" }));
        Assert.That(entries[1].GetProperty("actor").GetString(), Is.EqualTo("operator"));
        Assert.That(entries.All(e => e.GetProperty("partner").GetString() == "acme"), Is.True);
    }

    /// <summary>
    /// A weekly report rerun for Tuesday to Thursday would publish a period inside the week already published: the
    /// week minus it is the four days left, a cell no one checked against k.
    /// </summary>
    [Test]
    public async Task A_rerun_of_a_weekly_report_must_cover_a_whole_week()
    {
        var settings = PartnersApp.TwoPartners(PartnersApp.NewStorePath());
        settings["Partners:SchedulerEnabled"] = "false";
        settings["Partners:Partners:0:Reports:0:Granularity"] = "Window";
        settings["Partners:Partners:0:Reports:0:Window"] = "PreviousWeek";
        await using var app = await PartnersApp.StartAsync(settings, new FakeAggregateSource().Add(Day, 25, 60, "demo", "FR"));
        using var operatorClient = app.Client(PartnersApp.OperatorKey);

        using var partial = await Rerun(operatorClient, "2026-11-24", "2026-11-26");
        using var week = await Rerun(operatorClient, "2026-11-23", "2026-11-29");

        Assert.That(partial.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await partial.Content.ReadAsStringAsync(), Does.Contain("window 2026-11-24_2026-11-26 is not a whole week").And.Contain("2026-11-23_2026-11-29"));
        Assert.That(week.StatusCode, Is.EqualTo(HttpStatusCode.OK), "Monday to Sunday");
        var audit = await app.Get<AuditLog>().ListAsync("acme");
        Assert.That(audit.Select(a => a.Window), Is.EqualTo(new[] { "2026-11-23_2026-11-29" }), "the refused window was never generated");
    }

    private static Task<HttpResponseMessage> Rerun(HttpClient client, string from, string to) =>
        client.PostAsync("/api/partners-admin/reruns", new StringContent(
            $$"""{"partner":"acme","report":"daily","from":"{{from}}","to":"{{to}}"}""", System.Text.Encoding.UTF8, "application/json"));
}
