using System.Diagnostics;
using Analytics.Bench.Processes;
using Analytics.Bench.Servers;
using Analytics.Host.Tests.Crash;

namespace Analytics.Host.Tests.Cli;

/// <summary>`analytics key create` in a process of its own, beside an `analytics run` on a port of the user's choosing.</summary>
public sealed class KeyCommandTests
{
    private string _data = "";

    [SetUp]
    public void NewData() => _data = RunningHost.NewDataPath();

    [TearDown]
    public void DeleteData()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Test]
    public async Task The_dashboard_link_it_prints_opens_on_the_port_the_running_host_listens_on()
    {
        var port = FreePort.Next();
        await using var host = AnalyticsProcess.Start("embedded", [
            "run", "--data", _data, "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning"]);
        await host.WaitForPortAsync(port, TimeSpan.FromSeconds(90));
        await EmbeddedCrashTests.Until(() => File.Exists(Path.Combine(_data, "address")), "the host to record its address");

        var output = await RunKeyCreateAsync("--site", "demo", "--data", _data);

        var link = output.Split('\n').Select(l => l.Trim()).Single(l => l.Contains("/dashboard/demo#key=", StringComparison.Ordinal));
        Assert.That(link, Does.StartWith($"http://127.0.0.1:{port}/dashboard/demo#key=ak_"));
        using var browser = new HttpClient();
        using var dashboard = await browser.GetAsync(new Uri(link));
        Assert.That((int)dashboard.StatusCode, Is.EqualTo(200), "the printed link opens the running host's dashboard");
    }

    private static async Task<string> RunKeyCreateAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(AnalyticsProcess.AssemblyPath);
        start.ArgumentList.Add("key");
        start.ArgumentList.Add("create");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        Assert.That(process.ExitCode, Is.Zero, () => error.Result);
        return await output;
    }
}
