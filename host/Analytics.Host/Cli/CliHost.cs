using System.Net;
using System.Net.Sockets;
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
        args.AddRange(DataFolderSettings(data, "Sites:StorePath", "ClickHouse:DataPath", "Partners:StorePath"));
        args.AddRange(unmatched);
        return [.. args];
    }

    /// <summary>Where each file a command keeps is placed in the folder `--data` names, by its setting.</summary>
    private static readonly Dictionary<string, string> DataFolderFiles = new()
    {
        ["Sites:StorePath"] = "sites.json",
        ["ClickHouse:DataPath"] = "clickhouse",
        ["Spool:Path"] = "spool",
        ["Signing:KeyFile"] = "signing.key",
        ["Analysts:KeysPath"] = "keys.json",
        ["Partners:StorePath"] = "partners",
    };

    /// <summary>The files of a host (`run` and each role): a role keeps what its part uses and ignores the rest.</summary>
    public static readonly string[] HostFiles = ["Sites:StorePath", "ClickHouse:DataPath", "Spool:Path", "Signing:KeyFile", "Analysts:KeysPath", "Partners:StorePath"];

    /// <summary>
    /// The settings (<paramref name="keys"/>) that place a command's files in <paramref name="data"/>, none
    /// without one. Callers put them before the settings given, so an explicit --Section:Key=value wins (a
    /// spool on another disk, a registry shared by several hosts).
    /// </summary>
    public static IEnumerable<string> DataFolderSettings(string? data, params string[] keys) =>
        data is null ? [] : keys.Select(key => $"--{key}={Path.GetFullPath(Path.Combine(data, DataFolderFiles[key]))}");

    /// <summary>The name a setting's file or folder has inside a data folder (<see cref="HostFiles"/>' keys).</summary>
    public static string DataFolderFile(string key) => DataFolderFiles[key];

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
        catch (Exception e) when (IsInvalidConfiguration(e))
        {
            ReportInvalidConfiguration(e, command);
            return false;
        }
    }

    /// <summary>Whether <paramref name="e"/> is the start checks of settings failing: one section wrong, its exception; several, one each, together.</summary>
    public static bool IsInvalidConfiguration(Exception e) =>
        e is OptionsValidationException || (e is AggregateException all && all.InnerExceptions.All(x => x is OptionsValidationException));

    /// <summary>Prints what <see cref="IsInvalidConfiguration"/> found wrong, one line per problem, each naming its key.</summary>
    public static void ReportInvalidConfiguration(Exception e, string command)
    {
        var failures = e is AggregateException many ? many.InnerExceptions.Cast<OptionsValidationException>().SelectMany(x => x.Failures) : ((OptionsValidationException)e).Failures;
        Console.Error.WriteLine($"analytics {command}: the configuration is not valid:");
        foreach (var failure in failures)
        {
            Console.Error.WriteLine("  " + failure);
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

    /// <summary>
    /// Binds each address the host will listen on (<c>Urls</c>) once and lets it go, before the start: one that
    /// another program holds is then one line naming it, instead of Kestrel's failure log with a stack trace.
    /// Host names other than localhost, and port 0, are left to Kestrel. False when the command should exit
    /// with code 1.
    /// </summary>
    public static bool AddressesAreFree(IConfiguration configuration, string command)
    {
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Port <= 0)
            {
                continue;
            }
            var host = uri.Host.Trim('[', ']');
            var address = IPAddress.TryParse(host, out var ip) ? ip : host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : null;
            if (address is null)
            {
                continue;
            }
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // As Kestrel binds: a port left in TIME_WAIT by the last run is free to take.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                socket.Bind(new IPEndPoint(address, uri.Port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                Console.Error.WriteLine($"analytics {command}: {url} is in use by another program (another `analytics {command}`?): stop it, or give another address with --urls");
                return false;
            }
            catch (SocketException)
            {
                // Anything else (an address this machine does not have, ...): Kestrel's own error says it.
            }
        }
        return true;
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
