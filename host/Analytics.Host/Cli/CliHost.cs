using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Cli;

/// <summary>
/// A host without a web server for the subcommands that work on the data folder (export, partners):
/// the same configuration as `run` (appsettings.json, environment, --Section:Key=value), logs to stderr.
/// </summary>
public static class CliHost
{
    /// <summary>Configuration overrides, with --data DIR mapped as `run` maps it.</summary>
    public static string[] Arguments(IReadOnlyList<string> unmatched, string? data)
    {
        // Quiet by default (stdout may carry a report); a later --Logging:LogLevel:Default wins.
        var args = new List<string> { "--Logging:LogLevel:Default=Warning" };
        args.AddRange(unmatched);
        if (data is not null)
        {
            args.Add("--ClickHouse:DataPath=" + Path.GetFullPath(Path.Combine(data, "clickhouse")));
            args.Add("--Partners:StorePath=" + Path.GetFullPath(Path.Combine(data, "partners")));
            // First, so an explicit --Sites:StorePath (a registry shared by several hosts) wins.
            args.Insert(0, "--Sites:StorePath=" + Path.GetFullPath(Path.Combine(data, "sites.json")));
        }
        return [.. args];
    }

    /// <summary>
    /// Checks every setting validated at start before the host starts, and prints what is wrong, one line per
    /// problem (each names its key), instead of the host's failure log with a stack trace. False when the
    /// command should exit with code 2.
    /// </summary>
    public static bool ConfigurationIsValid(IServiceProvider services, string command)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return true;
        }
        // One section wrong: its exception; several: one each, together.
        catch (Exception e) when (e is OptionsValidationException || (e is AggregateException all && all.InnerExceptions.All(x => x is OptionsValidationException)))
        {
            var failures = e is AggregateException many ? many.InnerExceptions.Cast<OptionsValidationException>().SelectMany(x => x.Failures) : ((OptionsValidationException)e).Failures;
            Console.Error.WriteLine($"analytics {command}: the configuration is not valid:");
            foreach (var failure in failures)
            {
                Console.Error.WriteLine("  " + failure);
            }
            return false;
        }
    }

    /// <summary>
    /// Opens the store before the host starts, so a data folder in use by another process is one line
    /// (which folder, what to do) instead of the host's failure log with a stack trace. False when the
    /// command should exit with code 1.
    /// </summary>
    public static bool StoreOpens(IServiceProvider services, string command)
    {
        try
        {
            services.GetService<IClickHouse>();
            return true;
        }
        catch (ClickHouseException e)
        {
            Console.Error.WriteLine($"analytics {command}: {e.Message}");
            return false;
        }
    }

    public static IHost Build(string[] args, Action<IServiceCollection> services)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services(builder.Services);
        return builder.Build();
    }
}
