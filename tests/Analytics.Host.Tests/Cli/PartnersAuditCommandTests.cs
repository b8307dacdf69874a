using System.Diagnostics;
using Analytics.Partners.Audit;

namespace Analytics.Host.Tests.Cli;

/// <summary>`analytics partners audit` run as a child process whose output is piped, as a script would read it.</summary>
public class PartnersAuditCommandTests
{
    [Test]
    public async Task Piped_audit_prints_one_tab_separated_line_per_entry_with_every_field_whole()
    {
        var data = RunningHost.NewDataPath();
        using var audit = new AuditLog(Path.Combine(data, "partners", "audit.jsonl"));
        var detail = "push to reports.partner.example failed after 5 attempts: the endpoint answered 503 Service Unavailable";
        await audit.AppendAsync(new AuditEntry
        {
            At = new DateTimeOffset(2026, 11, 30, 0, 0, 5, TimeSpan.Zero),
            Action = AuditActions.PushFailed,
            Actor = "scheduler",
            Partner = "acme",
            Report = "pages-by-country-and-device",
            Window = "2026-11-29",
            Rows = 1234,
            WithheldCells = 17,
            Sha256 = new string('a', 64),
            Detail = detail,
        }, CancellationToken.None);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "analytics.dll"), "partners", "audit", "--data", data })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);

        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(process.ExitCode, Is.EqualTo(0), await stderr);
        Assert.That(lines, Has.Length.EqualTo(2), "a header and one entry");
        Assert.That(lines[0].Split('\t'), Has.Length.EqualTo(10));
        Assert.That(lines[1].Split('\t'), Is.EqualTo(new[]
        {
            "2026-11-30 00:00:05", "push_failed", "scheduler", "acme", "pages-by-country-and-device", "2026-11-29", "1234", "17", "aaaaaaaaaaaa", detail,
        }));
    }
}
