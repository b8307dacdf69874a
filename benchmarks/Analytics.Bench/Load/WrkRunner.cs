using System.Diagnostics;
using System.Globalization;

namespace Analytics.Bench.Load;

/// <summary>Runs wrk against a loopback address, bounded in time, and returns its summary.</summary>
public static class WrkRunner
{
    /// <summary>Runs a script from <see cref="WrkScript"/> against http://127.0.0.1:PORT (loopback only) for <paramref name="duration"/>.</summary>
    public static async Task<WrkResult> RunAsync(Uri baseUrl, string scriptPath, int threads, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (!baseUrl.IsLoopback)
        {
            throw new ArgumentException("The harness sends load to loopback addresses only.", nameof(baseUrl));
        }
        var info = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-t", threads.ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", Math.Max(1, (int)Math.Round(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s",
            "--timeout", "2s",
            "-s", scriptPath,
            baseUrl.ToString(),
        })
        {
            info.ArgumentList.Add(argument);
        }
        using var wrk = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start");
        var output = wrk.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = wrk.StandardError.ReadToEndAsync(cancellationToken);
        // wrk stops itself after -d; the extra time only guards against a hung run.
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(duration + TimeSpan.FromSeconds(30));
        try
        {
            await wrk.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            wrk.Kill();
            throw;
        }
        var text = await output;
        return WrkResult.Parse(text)
            ?? throw new InvalidOperationException($"wrk printed no summary (exit {wrk.ExitCode}):\n{text}\n{await errors}");
    }
}
