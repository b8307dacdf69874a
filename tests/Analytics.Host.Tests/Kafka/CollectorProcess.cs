using System.Diagnostics;

namespace Analytics.Host.Tests.Kafka;

/// <summary>`analytics collector` as a child process on a loopback port, configured only by its arguments.</summary>
public sealed class CollectorProcess : IDisposable
{
    private readonly Process _process;

    private CollectorProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<CollectorProcess> StartAsync(string bootstrapServers, string topic, string dataPath, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "analytics.dll"), "collector",
            "--urls", "http://127.0.0.1:0",
            "--data", dataPath,
            "--kafka", bootstrapServers,
            "--Kafka:Topic=" + topic,
            "--Kafka:Producer:linger.ms=1",
            "--Kafka:Producer:reconnect.backoff.max.ms=200",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            const string marker = "is running on ";
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                var address = line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Split(' ')[0];
                _ = process.StandardOutput.ReadToEndAsync();
                return new CollectorProcess(process, new Uri(address));
            }
        }
        throw new InvalidOperationException("The collector process exited before it listened.");
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }
}
