using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Analysts.Access;
using Analytics.Collector.Sites;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Cli;

/// <summary>
/// `analytics key`: create, list and revoke read-only API keys and shared dashboard links. Only a hash
/// of each key is stored; the key itself is printed once, at creation. Works while the host runs: the
/// host re-reads the keys file on change.
/// </summary>
public static class KeyCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data folder, as given to `analytics run` (default: data)", DefaultValueFactory = _ => "data" };
        var sites = new Option<string[]>("--site") { Description = "Site the key may read (repeat for several)", Required = true, AllowMultipleArgumentsPerToken = false };
        var name = new Option<string>("--name") { Description = "A note saying who or what uses the key", DefaultValueFactory = _ => "" };
        var url = new Option<string>("--url") { Description = "Address of the running host, for the printed links (default: the address `analytics run` last printed for this data folder)" };
        var filter = new Option<string>("--filter") { Description = "Shared links only: filter expressions the link is locked to, as JSON, e.g. '[[\"is\",\"country\",[\"FR\"]]]'" };
        var admin = new Option<bool>("--admin") { Description = "The key may also add and remove the site's goals and segments" };
        var segment = new Option<string>("--segment") { Description = "Shared links only: lock the link to a saved segment (by name)" };
        var id = new Argument<string>("id") { Description = "Key id as shown by `analytics key list`" };

        var create = new Command("create", "Create a read-only stats API key for one or more sites; the key is shown once.") { data, sites, name, url, admin };
        // --Section:Key=value settings say where the sites are registered, as for `run` (checked in SitesAreRegistered).
        create.TreatUnmatchedTokensAsErrors = false;
        create.SetAction(result =>
        {
            if (!SitesAreRegistered(result.GetValue(data)!, result.GetValue(sites)!, result.UnmatchedTokens))
            {
                return 1;
            }
            var (key, secret) = Store(result.GetValue(data)!).Create(result.GetValue(sites)!, result.GetValue(name)!, result.GetValue(admin) ? ApiKeyKinds.Admin : ApiKeyKinds.Api);
            Console.WriteLine($"""
                API key {key.Id} for {string.Join(", ", key.Sites)} (shown once; only its hash is kept):

                  {secret}

                Use it as 'Authorization: Bearer {secret}', or open the dashboard:
                  {result.GetValue(url) ?? HostAddressFile.Read(result.GetValue(data)!)}/dashboard/{Uri.EscapeDataString(key.Sites[0])}#key={secret}
                """);
            return 0;
        });

        var share = new Command("share", "Create a shared dashboard link for one site, optionally locked to a filter or a saved segment.") { data, sites, name, url, filter, segment };
        share.TreatUnmatchedTokensAsErrors = false;
        share.SetAction(result =>
        {
            JsonElement? locked = null;
            if (result.GetValue(filter) is { Length: > 0 } text)
            {
                try
                {
                    locked = JsonDocument.Parse(text).RootElement.Clone();
                }
                catch (JsonException)
                {
                    Console.Error.WriteLine("--filter must be a JSON array of filter expressions.");
                    return 2;
                }
            }
            if (result.GetValue(segment) is { Length: > 0 } segmentName)
            {
                if (locked is not null)
                {
                    Console.Error.WriteLine("Give --filter or --segment, not both.");
                    return 2;
                }
                // Locked to the segment by name: the link follows later edits of the segment, and stops answering if it is removed.
                locked = JsonDocument.Parse(new JsonArray(new JsonArray("is", "segment", new JsonArray(segmentName))).ToJsonString()).RootElement.Clone();
            }
            var siteIds = result.GetValue(sites)!;
            if (!SitesAreRegistered(result.GetValue(data)!, [siteIds[0]], result.UnmatchedTokens))
            {
                return 1;
            }
            var (key, secret) = Store(result.GetValue(data)!).Create([siteIds[0]], result.GetValue(name)!, ApiKeyKinds.Share, locked);
            Console.WriteLine($"""
                Shared link {key.Id} for {siteIds[0]} (shown once; anyone with it can read this site's aggregates):

                  {result.GetValue(url) ?? HostAddressFile.Read(result.GetValue(data)!)}/share/{Uri.EscapeDataString(siteIds[0])}?auth={secret}
                """);
            return 0;
        });

        var list = new Command("list", "List keys and shared links (ids, sites, state; never the keys).") { data };
        list.SetAction(result =>
        {
            foreach (var key in Store(result.GetValue(data)!).List())
            {
                var state = key.RevokedAt is { } at ? $"revoked {at:yyyy-MM-dd HH:mm}" : "active";
                Console.WriteLine($"{key.Id}\t{key.Kind}\t{string.Join(",", key.Sites)}\t{state}\tcreated {key.CreatedAt:yyyy-MM-dd HH:mm}\t{key.Name}");
            }
            return 0;
        });

        var revoke = new Command("revoke", "Revoke a key or shared link; it stops working on its next request.") { data, id };
        revoke.SetAction(result =>
        {
            if (Store(result.GetValue(data)!).Revoke(result.GetValue(id)!))
            {
                Console.WriteLine("Revoked.");
                return 0;
            }
            Console.Error.WriteLine("No active key with that id.");
            return 1;
        });

        return new Command("key", "Manage stats API keys and shared dashboard links.") { create, share, list, revoke };
    }

    private static ApiKeyStore Store(string data) => new(Path.Combine(data, "keys.json"));

    /// <summary>
    /// Whether the data folder's site registry (or, before its first change, the configured sites; --Section:Key=value
    /// settings as for `run`, e.g. another --Sites:StorePath) lists every site given; "*" (every site) always passes.
    /// Otherwise says which are missing: a mistyped site would make a key that answers 403 for the site meant.
    /// </summary>
    private static bool SitesAreRegistered(string data, IReadOnlyList<string> sites, IReadOnlyList<string> settings)
    {
        if (settings.FirstOrDefault(t => !t.StartsWith("--", StringComparison.Ordinal) || !t.Contains(':', StringComparison.Ordinal)) is { } unknown)
        {
            Console.Error.WriteLine($"unknown argument {unknown} (settings are given as --Section:Key=value)");
            return false;
        }
        IReadOnlyList<SiteOptions> registered;
        try
        {
            using var host = CliHost.Build(CliHost.Arguments(settings, data), services => services.AddOptions<SitesOptions>().BindConfiguration(SitesOptions.Section));
            registered = new SiteStore(host.Services.GetRequiredService<IOptions<SitesOptions>>().Value).List();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"the sites registry cannot be read: {e.Message.ReplaceLineEndings(" ")}");
            return false;
        }
        var missing = sites.Where(site => site != "*" && !registered.Any(s => s.Id == site)).ToList();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine(
                $"analytics key: no site {string.Join(", ", missing.Select(s => $"'{s}'"))} is registered in {data} " +
                $"(registered: {string.Join(", ", registered.Select(s => s.Id))}; add one with `analytics site add SITE --host HOST --data {data}`)");
        }
        return missing.Count == 0;
    }
}
