using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Partners.Audit;
using Analytics.Partners.Delivery;
using Analytics.Partners.Generation;
using Analytics.Partners.Reports;
using Analytics.Partners.Storage;

namespace Analytics.Partners.Tests.Delivery;

public class PushDeliveryTests
{
    private static readonly DateOnly Day = new(2026, 11, 28);
    private const string Secret = "a-shared-secret-of-at-least-32-characters";

    private static Dictionary<string, string?> Settings(string storePath, TestReceiver receiver)
    {
        var settings = PartnersApp.TwoPartners(storePath);
        settings["Partners:SchedulerEnabled"] = "false";
        settings["Partners:Push:FirstRetryDelay"] = "00:00:00.050";
        settings["Partners:Push:MaxRetryDelay"] = "00:00:00.200";
        settings["Partners:Partners:0:Push:Url"] = receiver.Url.ToString();
        settings["Partners:Partners:0:Push:Secret"] = Secret;
        return settings;
    }

    [Test]
    public void A_signature_verifies_only_for_the_same_body_timestamp_and_secret_within_the_tolerance()
    {
        var body = "schema_version,partner\n1,acme\n"u8.ToArray();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var signature = PushSignature.Sign(Secret, now.ToUnixTimeSeconds(), body);
        var stamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tolerance = TimeSpan.FromMinutes(5);

        Assert.That(signature, Does.Match("^v1=[0-9a-f]{64}$"));
        Assert.That(PushSignature.Verify(Secret, stamp, signature, body, now.AddMinutes(4), tolerance), Is.True);
        Assert.That(PushSignature.Verify(Secret, stamp, signature, "schema_version,partner\n1,acmf\n"u8, now, tolerance), Is.False, "tampered body");
        Assert.That(PushSignature.Verify(Secret, "1800000001", signature, body, now, tolerance), Is.False, "other timestamp");
        Assert.That(PushSignature.Verify(Secret + "x", stamp, signature, body, now, tolerance), Is.False, "other secret");
        Assert.That(PushSignature.Verify(Secret, stamp, signature, body, now.AddMinutes(6), tolerance), Is.False, "replayed too late");
    }

    [Test]
    public async Task A_failing_endpoint_shows_in_status_and_metrics_is_retried_and_gets_each_report_once_even_after_a_restart()
    {
        await using var receiver = await TestReceiver.StartAsync(Secret);
        receiver.Failing = true;
        var source = new FakeAggregateSource().Add(Day, 25, 60, "demo", "FR").Add(Day.AddDays(-1), 30, 70, "demo", "FR");
        var storePath = PartnersApp.NewStorePath();
        StoredReport first;
        await using (var app = await PartnersApp.StartAsync(Settings(storePath, receiver), source, services: receiver.Trust))
        {
            first = await app.Get<ReportGenerator>().GenerateAsync("acme", "daily", new ReportWindow(Day, Day), "test", CancellationToken.None);

            Assert.That(await PartnersApp.WaitForAsync(() => Task.FromResult(receiver.Requests.Count >= 2)), Is.True, "retried");
            Assert.That(await PartnersApp.WaitForAsync(() => Task.FromResult(app.Get<PartnersMetrics>().FailingCount("acme") == 1)), Is.True);
            using var operatorClient = app.Client(PartnersApp.OperatorKey);
            using var status = JsonDocument.Parse(await operatorClient.GetStringAsync("/api/partners-admin/status"));
            var delivery = status.RootElement.GetProperty("deliveries").EnumerateArray().Single();
            Assert.That(delivery.GetProperty("status").GetString(), Is.EqualTo("Failing"));
            Assert.That(delivery.GetProperty("last_error").GetString(), Is.EqualTo("HTTP 503"));
            using var metrics = app.Client();
            Assert.That(await metrics.GetStringAsync("/metrics"), Does.Contain("analytics_partner_push_failing{partner=\"acme\"} 1"));

            receiver.Failing = false;
            Assert.That(await PartnersApp.WaitForAsync(() => Task.FromResult(receiver.Acknowledged.Any())), Is.True, "delivered once the endpoint recovers");
            Assert.That(await PartnersApp.WaitForAsync(() => Task.FromResult(app.Get<PartnersMetrics>().FailingCount("acme") == 0)), Is.True);
            var audit = await app.Get<AuditLog>().ListAsync("acme");
            Assert.That(audit.Count(a => a.Action == AuditActions.PushFailed), Is.EqualTo(receiver.Requests.Count - 1));
            Assert.That(audit.Single(a => a.Action == AuditActions.Pushed).Sha256, Is.EqualTo(first.Sha256));
            Assert.That(app.Get<ReportStore>().PushStateOf(first)!.Status, Is.EqualTo(PushStatus.Delivered));
        }

        await using (var again = await PartnersApp.StartAsync(Settings(storePath, receiver), source, services: receiver.Trust))
        {
            var generator = again.Get<ReportGenerator>();
            // The same window again gives the same content: already acknowledged, so not sent.
            var same = await generator.GenerateAsync("acme", "daily", new ReportWindow(Day, Day), "test", CancellationToken.None);
            var other = await generator.GenerateAsync("acme", "daily", new ReportWindow(Day.AddDays(-1), Day.AddDays(-1)), "test", CancellationToken.None);

            Assert.That(same.DeliveryId, Is.EqualTo(first.DeliveryId));
            Assert.That(await PartnersApp.WaitForAsync(() => Task.FromResult(receiver.Acknowledged.Any(r => r.DeliveryId == other.DeliveryId))), Is.True);
        }

        Assert.That(receiver.Requests.All(r => r.SignatureValid), Is.True);
        Assert.That(receiver.Acknowledged.Select(r => r.DeliveryId), Is.EqualTo(new[] { first.DeliveryId, $"acme/daily/2026-11-27/{receiver.Acknowledged.Last().DeliveryId![^16..]}" }));
        var body = Encoding.UTF8.GetString(receiver.Acknowledged.First().Body);
        Assert.That(body, Does.Contain("1,acme,daily,2026-11-28,2026-11-28,cell,demo,FR,25,60,0,0"));
        Assert.That(receiver.Requests.Count(r => r.DeliveryId == first.DeliveryId && r.Status == (int)HttpStatusCode.OK), Is.EqualTo(1));
    }
}
