using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Analytics.Collector.Sites;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Cli;

/// <summary>
/// `analytics site`: add, list, change and remove registered sites in the managed registry (data/sites.json), the
/// file the admin API writes too. Works while the host runs: the host follows the file. Each change is checked
/// before it is written (one line on stderr and exit 2 when it is refused) and audited in sites-audit.jsonl.
/// </summary>
public static class SiteCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data folder, as given to `analytics run` (default: data)" };
        var id = new Argument<string>("site") { Description = "The site's id (letters, digits, '-', '_', '.')" };
        var hosts = new Option<string[]>("--host") { Description = "A host name the site's pages are served from (repeat for several; replaces the list on set)" };
        var timeZone = new Option<string>("--time-zone") { Description = "IANA time zone the site's days are counted in (default UTC)" };
        var consent = new Option<ConsentMode?>("--consent") { Description = "Hits of visitors who declined: Anonymous (counted without an ID, the default) or Drop" };
        var retention = new Option<int?>("--retention-days") { Description = "Days raw hits and visits are kept (default 395)" };
        var k = new Option<int?>("--k") { Description = "Fewest visitors a cell shown to partners or on shared links may have (default 10)" };
        var keep = new Option<string[]>("--keep-query") { Description = "A page URL query parameter kept in the stored path (repeat for several; replaces the list on set)" };
        var noKeep = new Option<bool>("--no-keep-query") { Description = "Keep no page URL query parameter (set only)" };
        var strict = new Option<bool?>("--strict-origin") { Description = "true: store only hits whose Origin or Referer names one of the hosts" };

        var add = new Command("add", "Register a site (at least one --host).") { data, id, hosts, timeZone, consent, retention, k, keep, strict };
        add.TreatUnmatchedTokensAsErrors = false;
        add.SetAction(result => Run(result, data, store =>
        {
            var site = store.Add(result.GetValue(id)!, Patch(result), Actor);
            Console.WriteLine($"Site {site.Id} added; beacons from {string.Join(", ", site.Hosts)} are stored from now on.");
            return 0;
        }));

        var set = new Command("set", "Change a registered site's settings; those not given stay.") { data, id, hosts, timeZone, consent, retention, k, keep, noKeep, strict };
        set.TreatUnmatchedTokensAsErrors = false;
        set.SetAction(result => Run(result, data, store =>
        {
            var patch = Patch(result);
            if (result.GetValue(noKeep))
            {
                patch = patch with { KeepQueryParameters = [] };
            }
            var site = store.Set(result.GetValue(id)!, patch, Actor);
            Console.WriteLine($"Site {site.Id} changed.");
            return 0;
        }));

        var list = new Command("list", "List the registered sites, one tab-separated line each.") { data };
        list.TreatUnmatchedTokensAsErrors = false;
        list.SetAction(result => Run(result, data, store =>
        {
            Console.WriteLine("id\thosts\ttime zone\tconsent\tretention days\tk\tkept query parameters\tstrict origin");
            foreach (var site in store.List())
            {
                Console.WriteLine(string.Join('\t',
                    site.Id, string.Join(',', site.Hosts), site.TimeZone, site.ConsentMode, site.RetentionDays.ToString(CultureInfo.InvariantCulture),
                    site.KThreshold.ToString(CultureInfo.InvariantCulture), string.Join(',', site.KeepQueryParameters), site.StrictOrigin ? "yes" : "no"));
            }
            return 0;
        }));

        var remove = new Command("remove", "Unregister a site: its beacons are rejected from then on; its stored data stays until its retention ends.") { data, id };
        remove.TreatUnmatchedTokensAsErrors = false;
        remove.SetAction(result => Run(result, data, store =>
        {
            store.Remove(result.GetValue(id)!, Actor);
            Console.WriteLine("Removed.");
            return 0;
        }));

        return new Command("site", "Manage the registered sites (the managed registry; a sites file or Sites:Sites seeds it).") { add, list, set, remove };

        SitePatch Patch(ParseResult result) => new()
        {
            Hosts = result.GetValue(hosts) is { Length: > 0 } h ? h : null,
            TimeZone = result.GetValue(timeZone),
            ConsentMode = result.GetValue(consent),
            RetentionDays = result.GetValue(retention),
            KThreshold = result.GetValue(k),
            KeepQueryParameters = result.GetValue(keep) is { Length: > 0 } q ? q : null,
            StrictOrigin = result.GetValue(strict),
        };
    }

    /// <summary>Who the audit names: the operating-system user running the command.</summary>
    private static string Actor => "cli:" + Environment.UserName;

    /// <summary>Builds the store from the same configuration as `run` (so the seed is the same), runs the action, turns refusals into one line.</summary>
    private static int Run(ParseResult result, Option<string> data, Func<SiteStore, int> action)
    {
        if (result.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith("--", StringComparison.Ordinal) || !t.Contains(':', StringComparison.Ordinal)) is { } unknown)
        {
            Console.Error.WriteLine($"unknown argument {unknown} (settings are given as --Section:Key=value)");
            return 2;
        }
        try
        {
            using var host = CliHost.Build(CliHost.Arguments(result.UnmatchedTokens, result.GetValue(data)), services =>
                services.AddOptions<SitesOptions>().BindConfiguration(SitesOptions.Section));
            return action(new SiteStore(host.Services.GetRequiredService<IOptions<SitesOptions>>().Value));
        }
        catch (SiteChangeException e)
        {
            Console.Error.WriteLine(e.Message);
            return e.NotFound ? 1 : 2;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"the sites registry cannot be read or written: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }
}
