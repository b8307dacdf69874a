using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Analytics.Host.Cli;

/// <summary>
/// `analytics collector` and `analytics aggregator`: one role of the distributed deployment, over Kafka.
/// Shorthands for `analytics run --Transport:Kind=Kafka --Host:Roles=ROLE`; any other setting passes through.
/// </summary>
public static class RoleCommand
{
    public static Command Collector() => Create(
        "collector",
        "Run a collector alone: answers beacons, spools hits locally and ships them to Kafka.");

    public static Command Aggregator() => Create(
        "aggregator",
        "Run an aggregator alone: reads hits from Kafka in a consumer group, stores them in ClickHouse, serves the stats API.");

    private static Command Create(string role, string description)
    {
        var urls = new Option<string>("--urls") { Description = "Listen address(es), e.g. http://127.0.0.1:5081" };
        var data = new Option<string>("--data") { Description = "Data folder, as for `run` (collector: the spool and signing key; aggregator: the embedded ClickHouse, API keys and partner reports)" };
        var kafka = new Option<string>("--kafka") { Description = "Kafka bootstrap servers, host:port[,host:port]" };
        var command = new Command(role, description) { urls, data, kafka };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, _) =>
        {
            var args = new List<string> { "--Transport:Kind=Kafka", "--Host:Roles=" + role };
            // The same files as `run --data`: a collector's signing key and an aggregator's API keys
            // (`analytics key --data`) are found in the folder, not in ./data of wherever it was started.
            args.AddRange(CliHost.DataFolderSettings(result.GetValue(data), CliHost.HostFiles));
            args.AddRange(EarlierFiles(result.GetValue(data), role));
            args.AddRange(result.UnmatchedTokens);
            if (result.GetValue(urls) is { } u)
            {
                args.Add("--Urls=" + u);
            }
            if (result.GetValue(kafka) is { } k)
            {
                args.Add("--Kafka:BootstrapServers=" + k);
            }
            await using var app = EmbeddedHost.Build([.. args]);
            if (!CliHost.ConfigurationIsValid(app.Services, role))
            {
                return 2;
            }
            if (!CliHost.AddressesAreFree(app.Configuration, role) || !CliHost.StoreOpens(app.Services, role))
            {
                return 1;
            }
            await app.StartAsync(CancellationToken.None);
            // The bound address (with port 0 the system picks one), so a supervisor or a test can find it.
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            Console.WriteLine($"Analytics {role} is running on {address} (Kafka). Press Ctrl-C to stop.");
            // SIGINT/SIGTERM stop it gracefully: the spool is kept (collector), the consumer leaves its group (aggregator).
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The files a role kept in ./data of its working directory before `--data` placed them too (the signing key,
    /// API keys, partner reports): used from there while the data folder has none, with a line saying to move them,
    /// so an upgrade keeps its cookies and keys working.
    /// </summary>
    private static IEnumerable<string> EarlierFiles(string? data, string role)
    {
        if (data is null)
        {
            yield break;
        }
        foreach (var key in new[] { "Signing:KeyFile", "Analysts:KeysPath", "Partners:StorePath" })
        {
            var earlier = Path.GetFullPath(Path.Combine("data", CliHost.DataFolderFile(key)));
            var placed = Path.GetFullPath(Path.Combine(data, CliHost.DataFolderFile(key)));
            if (earlier != placed && !Path.Exists(placed) && Path.Exists(earlier))
            {
                Console.Error.WriteLine($"analytics {role}: using {earlier}, kept there before --data placed it in {placed}: move it there");
                yield return $"--{key}={earlier}";
            }
        }
    }
}
