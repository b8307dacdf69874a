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

    /// <summary>`analytics ARGS`: a role or the embedded host.</summary>
    public static ChildProcess Start(string name, IEnumerable<string> arguments) => Run(name, AssemblyPath, arguments);

    /// <summary>`analytics-bench ARGS`: a helper server of the harness (the bare Kestrel baseline).</summary>
    public static ChildProcess StartHarness(string name, IEnumerable<string> arguments) => Run(name, HarnessAssemblyPath, arguments);

    private static ChildProcess Run(string name, string assembly, IEnumerable<string> arguments) =>
        ChildProcess.Start(name, "dotnet", [assembly, .. arguments], new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        });
}
