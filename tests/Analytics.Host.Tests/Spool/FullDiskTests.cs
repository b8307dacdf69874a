using System.Diagnostics;
using System.Net;
using Analytics.Collector.Beacon;

namespace Analytics.Host.Tests.Spool;

/// <summary>
/// The spool on a real filesystem that fills up (a 1 MB tmpfs mounted for the test): beacons keep getting
/// their GIF, say why their hit was not kept, the host reports itself not ready, and it takes hits again
/// once there is room. Needs root to mount, as CI and this machine have; elsewhere it is inconclusive.
/// </summary>
[NonParallelizable]
public class FullDiskTests
{
    [Test]
    public async Task A_full_disk_under_the_spool_answers_gifs_counted_as_write_failed_and_not_ready_until_there_is_room()
    {
        var disk = Directory.CreateTempSubdirectory("analytics-full-disk-").FullName;
        Assume.That(await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk), Is.Zero, "mounting a tmpfs needs root");
        try
        {
            await using var host = await RunningHost.StartAsync(null, "--Transport:Kind=Spool", "--Spool:Path=" + Path.Combine(disk, "spool"));
            using var browser = host.NewBrowser();
            var filler = Path.Combine(disk, "filler");
            await FillAsync(filler);

            var answers = new List<(HttpStatusCode Status, string? Type, string? Dropped)>();
            for (var i = 0; i < 40; i++)
            {
                using var answer = await browser.GetAsync($"/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Ffull{i}");
                answers.Add((answer.StatusCode, answer.Content.Headers.ContentType?.MediaType,
                    answer.Headers.TryGetValues(BeaconEndpoints.DroppedHeader, out var reasons) ? reasons.Single() : null));
            }
            using var whileFull = await browser.GetAsync("/readyz");

            Assert.That(answers, Is.All.EqualTo((HttpStatusCode.OK, "image/gif", "WriteFailed")));
            Assert.That(whileFull.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await browser.GetStringAsync("/metrics"), Does.Contain("analytics_hits_rejected_total{reason=\"WriteFailed\"} 40"));

            File.Delete(filler);
            using var afterwards = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Froom");
            using var withRoom = await browser.GetAsync("/readyz");

            Assert.That(afterwards.Headers.Contains(BeaconEndpoints.DroppedHeader), Is.False, "kept once there is room");
            Assert.That(withRoom.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var stats = await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 1);
            Assert.That(stats.Days.Sum(d => d.Pageviews), Is.EqualTo(1), "only the hit answered as kept is stored");
        }
        finally
        {
            if (await RunAsync("umount", "-l", disk) == 0)
            {
                Directory.Delete(disk);
            }
        }
    }

    /// <summary>Writes until the filesystem refuses: what is left is less than a block.</summary>
    private static async Task FillAsync(string path)
    {
        var block = new byte[4096];
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        try
        {
            while (true)
            {
                await file.WriteAsync(block);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    private static async Task<int> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        TestContext.Out.WriteLine($"{command} {string.Join(' ', arguments)} -> {process.ExitCode} {await process.StandardError.ReadToEndAsync()}");
        return process.ExitCode;
    }
}
