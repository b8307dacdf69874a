using System.CommandLine;
using System.Text.Json;
using Analytics.Analysts.Access;

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
        var url = new Option<string>("--url") { Description = "Address of the running host, for the printed links", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var filter = new Option<string>("--filter") { Description = "Shared links only: filter expressions the link is locked to, as JSON, e.g. '[[\"is\",\"country\",[\"FR\"]]]'" };
        var id = new Argument<string>("id") { Description = "Key id as shown by `analytics key list`" };

        var create = new Command("create", "Create a read-only stats API key for one or more sites; the key is shown once.") { data, sites, name, url };
        create.SetAction(result =>
        {
            var (key, secret) = Store(result.GetValue(data)!).Create(result.GetValue(sites)!, result.GetValue(name)!);
            Console.WriteLine($"""
                API key {key.Id} for {string.Join(", ", key.Sites)} (shown once; only its hash is kept):

                  {secret}

                Use it as 'Authorization: Bearer {secret}', or open the dashboard:
                  {result.GetValue(url)}/dashboard/{Uri.EscapeDataString(key.Sites[0])}#key={secret}
                """);
            return 0;
        });

        var share = new Command("share", "Create a shared dashboard link for one site, optionally locked to a filter.") { data, sites, name, url, filter };
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
            var siteIds = result.GetValue(sites)!;
            var (key, secret) = Store(result.GetValue(data)!).Create([siteIds[0]], result.GetValue(name)!, ApiKeyKinds.Share, locked);
            Console.WriteLine($"""
                Shared link {key.Id} for {siteIds[0]} (shown once; anyone with it can read this site's aggregates):

                  {result.GetValue(url)}/share/{Uri.EscapeDataString(siteIds[0])}?auth={secret}
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
}
