using System.Diagnostics;
using System.Globalization;

namespace Analytics.Bench.Soak;

/// <summary>
/// Runs operator-supplied shell commands as the fault (--fault-command) and its healing (--heal-command).
/// They see ANALYTICS_BENCH_COLLECTOR_PID, ANALYTICS_BENCH_COLLECTOR_URL and ANALYTICS_BENCH_DATA.
/// </summary>
public sealed class CommandFault : IFaultScenario
{
    public string Name => "command";

    public bool NeedsKafka => false;

    public string Description => "shell commands given by --fault-command / --heal-command";

    public Task InjectAsync(FaultContext context, CancellationToken cancellationToken) =>
        RunAsync(context, context.Settings.FaultCommand, cancellationToken);

    public Task HealAsync(FaultContext context, CancellationToken cancellationToken) =>
        RunAsync(context, context.Settings.HealCommand, cancellationToken);

    private static async Task RunAsync(FaultContext context, string? command, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            return;
        }
        var info = new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false };
        info.Environment["ANALYTICS_BENCH_COLLECTOR_PID"] = context.Collector.Pid.ToString(CultureInfo.InvariantCulture);
        info.Environment["ANALYTICS_BENCH_COLLECTOR_URL"] = context.Collector.BaseUrl.ToString();
        info.Environment["ANALYTICS_BENCH_DATA"] = context.Collector.DataDirectory;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("/bin/sh did not start");
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(guard.Token);
        context.Log.WriteLine($"  fault command exited with {process.ExitCode}");
    }
}
