using Analytics.Bench.Processes;
using Analytics.Host;

namespace Analytics.Bench.Servers;

/// <summary>
/// Starts the product (analytics.dll, copied beside the harness) or the harness itself as a child
/// process, so each server has its own CPU and memory figures.
/// </summary>
public static class AnalyticsProcess
{
    public static string AssemblyPath => typeof(EmbeddedHost).Assembly.Location;

    public static string HarnessAssemblyPath => typeof(AnalyticsProcess).Assembly.Location;

    /// <summary>`analytics ARGS`: a role or the embedded host, with <paramref name="environment"/> added to its variables.</summary>
    public static ChildProcess Start(string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        Run(name, AssemblyPath, arguments, environment, workingDirectory);

    /// <summary>`analytics-bench ARGS`: a helper server of the harness (the bare Kestrel baseline).</summary>
    public static ChildProcess StartHarness(string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        Run(name, HarnessAssemblyPath, arguments, environment, null);

    private static ChildProcess Run(string name, string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
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
        return ChildProcess.Start(name, "dotnet", [assembly, .. arguments], variables, workingDirectory);
    }
}
