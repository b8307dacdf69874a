using Analytics.Bench.Processes;
using Analytics.Bench.Servers;
using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Hosting;

namespace Analytics.Host.Tests.Crash;

/// <summary>`analytics run` (the embedded default) as a child process, killed with SIGKILL under load.</summary>
public class EmbeddedCrashTests : DataFolderTests
{
    [Test]
    public async Task Every_beacon_the_embedded_host_answered_before_a_SIGKILL_under_load_is_stored_once_after_a_restart()
    {
        var port = FreePort.Next();
        var address = new Uri($"http://127.0.0.1:{port}");
        var load = new BeaconLoad();
        await using (var host = AnalyticsProcess.Start("embedded", [
            "run", "--data", Data, "--urls", address.ToString(), "--Logging:LogLevel:Default=Warning",
            // All load comes from 127.0.0.1: the per-client limit would drop most of it.
            "--RateLimit:Burst=1000000", "--RateLimit:PerSecond=1000000"]))
        {
            await host.WaitForPortAsync(port, TimeSpan.FromSeconds(90));
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(address, 20_000, 8, stop.Token);
            await Until(() => load.Answered.Count >= 800 || running.IsCompleted, "800 beacons answered");
            // Killed with requests in flight and, by the aggregator's flush interval, hits not yet stored.
            await host.KillAsync();
            await stop.CancelAsync();
            await running;
        }
        Assert.That(load.Answered, Has.Count.GreaterThanOrEqualTo(800));

        // What the killed process left, printed so that a failure says where the hits were.
        var spool = Path.Combine(Data, "spool");
        TestContext.Out.WriteLine("spool after the kill: " + string.Join(", ", new DirectoryInfo(spool).GetFiles().OrderBy(f => f.Name).Select(f => $"{f.Name} {f.Length} B")));

        // Restarted on the same data folder; stopping stores whatever the spool still holds.
        await using var restarted = await RunningHost.StartAsync(Path.Combine(Data, "clickhouse"), "--Spool:Path=" + spool);
        await restarted.App.StopAsync();
        var aggregator = restarted.App.Services.GetServices<IHostedService>().OfType<Aggregator>().Single();
        TestContext.Out.WriteLine($"restarted aggregator stored {aggregator.Stored} hits; its loop {aggregator.ExecuteTask?.Status}: {aggregator.ExecuteTask?.Exception?.GetBaseException()}");
        Assert.That(aggregator.ExecuteTask?.IsFaulted, Is.False, "the restarted aggregator's loop failed");
        var stored = await StoredCounts.ReadAsync(restarted.App.Services.GetRequiredService<IClickHouse>());

        stored.AssertEachAnsweredBeaconStoredOnce(load);
    }

    internal static async Task Until(Func<bool> condition, string what, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail("Timed out waiting for: " + what);
            }
            await Task.Delay(20);
        }
    }
}
