using System.Text;
using Analytics.Pipeline.Spool;
using Prometheus;

namespace Analytics.Pipeline.Tests.Spool;

public class SpoolMetricsTests
{
    private string _path = "";

    [SetUp]
    public void NewFolder() => _path = Path.Combine(Path.GetTempPath(), "spool-metrics-test-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    [Test]
    public async Task Every_group_commit_is_timed_in_the_commit_histogram()
    {
        // One observation per fsynced group, so a slow answer can be told apart: disk or everything else.
        using var spool = HitSpool.Open(new SpoolOptions { Path = _path });
        var registry = Metrics.NewCustomRegistry();
        var update = new SpoolMetrics(spool).Publish(Metrics.WithCustomRegistry(registry));
        for (var i = 0; i < 5; i++)
        {
            await spool.AppendAsync(Encoding.UTF8.GetBytes("record " + i), CancellationToken.None);
        }
        await Task.WhenAll(Enumerable.Range(5, 200).Select(i => spool.AppendAsync(Encoding.UTF8.GetBytes("record " + i), CancellationToken.None).AsTask()));

        update();
        var text = await MetricsText.ExportAsync(registry);

        Assert.That(MetricsText.Sample(text, "analytics_spool_commit_seconds_count"), Is.EqualTo(spool.Fsyncs));
        Assert.That(MetricsText.Sample(text, "analytics_spool_commit_seconds_sum"), Is.GreaterThan(0));
        Assert.That(MetricsText.Sample(text, "analytics_spool_fsyncs_total"), Is.EqualTo(spool.Fsyncs));
    }
}
