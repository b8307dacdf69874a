using System.Diagnostics;

namespace Analytics.Host.Tests.Cli;

/// <summary>`analytics ...` as a child process: the real command line, its exit code and output.</summary>
public static class AnalyticsCli
{
    public static async Task<(int Status, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "analytics.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        TestContext.Out.WriteLine($"analytics {string.Join(' ', arguments)} -> {process.ExitCode}\n{await output}{await error}");
        return (process.ExitCode, await output, await error);
    }
}
