using Analytics.Host.Bench.Processes;

namespace Analytics.Host.Bench.Servers;

/// <summary>Starts this program (analytics.dll) again as a child process, so each server has its own CPU and memory figures.</summary>
public static class AnalyticsProcess
{
    public static string AssemblyPath => typeof(AnalyticsProcess).Assembly.Location;

    public static ChildProcess Start(string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }
        return ChildProcess.Start(name, "dotnet", [AssemblyPath, .. arguments], variables);
    }
}
