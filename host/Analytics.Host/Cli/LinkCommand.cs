using System.CommandLine;
using Analytics.Collector.Identity;
using Analytics.Collector.Links;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Cli;

/// <summary>
/// `analytics link`: signs a newsletter link for a campaign. It reads the signing keys the collector
/// reads (appsettings.json, environment, --Signing:Keys:0=..., or the generated key file), so run it
/// where the collector runs, or with the same keys.
/// </summary>
public static class LinkCommand
{
    public static Command Create()
    {
        var site = new Option<string>("--site") { Description = "Registered site ID the clicks are counted for", Required = true };
        var campaign = new Option<string>("--campaign") { Description = "Campaign name (letters, digits, '-', '_', '.')", Required = true };
        var to = new Option<string>("--to") { Description = "Target URL (absolute http or https)", Required = true };
        var collector = new Option<string>("--collector")
        {
            Description = "The collector's public base address",
            DefaultValueFactory = _ => "http://127.0.0.1:5080",
        };
        var data = new Option<string>("--data") { Description = "Data folder given to `run --data` (its signing.key is used when no keys are configured)" };
        var command = new Command("link", "Sign a newsletter link: clicks are counted for the campaign, then redirected to the target.")
        {
            site,
            campaign,
            to,
            collector,
            data,
        };
        // Anything else (--Section:Key=value) is configuration, as for `run`.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(result =>
        {
            var overrides = CliHost.DataFolderSettings(result.GetValue(data), "Signing:KeyFile").ToList();
            overrides.AddRange(result.UnmatchedTokens);
            var configuration = new ConfigurationBuilder()
                .SetBasePath(AppContext.BaseDirectory)
                .AddJsonFile("appsettings.json", optional: true)
                .AddEnvironmentVariables()
                .AddCommandLine([.. overrides])
                .Build();
            var options = configuration.GetSection(SigningOptions.Section).Get<SigningOptions>() ?? new SigningOptions();
            var signer = new LinkSigner(new SigningKeys(Options.Create(options)));
            try
            {
                var link = signer.Sign(result.GetValue(site)!, result.GetValue(campaign)!, result.GetValue(to)!);
                Console.WriteLine(result.GetValue(collector)!.TrimEnd('/') + link);
                return 0;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("analytics link: " + e.Message);
                return 2;
            }
        });
        return command;
    }
}
