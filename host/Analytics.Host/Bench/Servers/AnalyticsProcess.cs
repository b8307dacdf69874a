using Analytics.Host.Bench.Processes;

namespace Analytics.Host.Bench.Servers;

/// <summary>Starts this program (analytics.dll) again as a child process, so each server has its own CPU and memory figures.</summary>
public static class AnalyticsProcess
{
    public static string AssemblyPath => typeof(AnalyticsProcess).Assembly.Location;

    public static ChildProcess Start(string name, IEnumerable<string> arguments) =>
        ChildProcess.Start(name, "dotnet", [AssemblyPath, .. arguments], new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        });
}
