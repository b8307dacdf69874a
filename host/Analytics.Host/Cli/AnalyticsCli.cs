using System.CommandLine;

namespace Analytics.Host.Cli;

/// <summary>The `analytics` command line: one entry point, a subcommand per job.</summary>
public static class AnalyticsCli
{
    public static RootCommand Build() => new("Analytics: privacy-first site-visitation analytics. The load harness is a program of its own: ./analytics bench --help (benchmarks/Analytics.Bench).")
    {
        RunCommand.Create(),
        LinkCommand.Create(),
        UaCommand.Create(),
        GeoCommand.Create(),
        RoleCommand.Collector(),
        RoleCommand.Aggregator(),
        KeyCommand.Create(),
        GoalCommand.Create(),
        SiteCommand.Create(),
        ImportCommand.Create(),
        ExportCommand.Create(),
        PartnersCommand.Create(),
    };
}
