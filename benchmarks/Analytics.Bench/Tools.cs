using System.Diagnostics;
using System.Runtime.InteropServices;
using Analytics.Bench.Report;

namespace Analytics.Bench;

/// <summary>The external tools the harness drives (Debian packages wrk and nginx) and the machine it runs on.</summary>
public static class Tools
{
    public const string InstallHint = "apt-get update && apt-get install -y --no-install-recommends wrk nginx";

    /// <summary>Names of required tools not on PATH.</summary>
    public static IReadOnlyList<string> Missing(bool needNginx) =>
        [.. new[] { "wrk", needNginx ? "nginx" : null }.OfType<string>().Where(tool => Which(tool) is null)];

    public static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/usr/sbin").Split(':')
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    public static MachineInfo Describe()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024
            : 0;
        return new MachineInfo(
            PrettyOs(),
            cpu,
            Environment.ProcessorCount,
            memory,
            RuntimeInformation.FrameworkDescription,
            FirstLine(Output("wrk", "--version")),
            FirstLine(Output("nginx", "-v")),
            Commit(Environment.GetEnvironmentVariable("ANALYTICS_SOURCE") ?? Environment.CurrentDirectory),
            LoadAverage());
    }

    /// <summary>
    /// The commit of <paramref name="checkout"/> (the `analytics` script names the checkout it built the
    /// harness from), marked when tracked files differ from it; a clear "unknown" outside a checkout.
    /// </summary>
    public static string Commit(string checkout)
    {
        var commit = FirstLine(Output("git", "-C", checkout, "rev-parse", "--short", "HEAD"));
        if (!System.Text.RegularExpressions.Regex.IsMatch(commit, "^[0-9a-f]{7,40}$"))
        {
            return $"unknown ({checkout} is not a git checkout)";
        }
        return Output("git", "-C", checkout, "status", "--porcelain", "--untracked-files=no").Trim().Length > 0
            ? commit + " with uncommitted changes"
            : commit;
    }

    /// <summary>1, 5 and 15 minute load averages: on a shared machine they say how much the figures can be trusted.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";

    private static string PrettyOs()
    {
        var pretty = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
            : null;
        return $"{pretty ?? RuntimeInformation.OSDescription}, kernel {Environment.OSVersion.Version}";
    }

    private static string FirstLine(string text) => text.Split('\n').FirstOrDefault()?.Trim() ?? "";

    private static string Output(string tool, params string[] arguments)
    {
        try
        {
            var info = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(info)!;
            var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit(5000);
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }
}
