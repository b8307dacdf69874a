using System.CommandLine;
using Analytics.Collector.Sites;

namespace Analytics.Host.Cli;

/// <summary>`analytics run`: the embedded default, everything in one process.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Listen address(es), e.g. http://127.0.0.1:5080" };
        var data = new Option<string>("--data") { Description = "Data folder (the embedded ClickHouse keeps its files here)" };
        var command = new Command("run", "Start the embedded default: collector, durable spool queue, aggregator, ClickHouse (chDB), API and demo in one process.")
        {
            urls,
            data,
        };
        // Anything else (--Section:Key=value) is passed to the host as configuration.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, _) =>
        {
            var args = CliHost.DataFolderSettings(result.GetValue(data), CliHost.HostFiles).ToList();
            args.AddRange(result.UnmatchedTokens);
            if (result.GetValue(urls) is { } u)
            {
                args.Add("--Urls=" + u);
            }
            await using var app = EmbeddedHost.Build([.. args]);
            if (!CliHost.ConfigurationIsValid(app.Services, "run"))
            {
                return 2;
            }
            if (!CliHost.AddressesAreFree(app.Configuration, "run") || !CliHost.StoreOpens(app.Services, "run"))
            {
                return 1;
            }
            await app.StartAsync(CancellationToken.None);
            PrintWelcome(app);
            // The host handles SIGINT/SIGTERM itself and stops gracefully (the queue is drained into storage);
            // after a SIGKILL the next start stores what the spool still holds.
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    private static void PrintWelcome(WebApplication app)
    {
        var address = app.Urls.FirstOrDefault() ?? "http://127.0.0.1:5080";
        var first = app.Services.GetRequiredService<SiteRegistry>().All.FirstOrDefault();
        var site = first?.Id ?? "demo";
        // A page of the site itself: the collector drops a beacon whose page is on a host the site does not list.
        var page = Uri.EscapeDataString($"http://{first?.Hosts.Order(StringComparer.Ordinal).FirstOrDefault() ?? "localhost"}/");
        var data = Path.GetFullPath(app.Configuration["ClickHouse:DataPath"] ?? "data/clickhouse");
        HostAddressFile.Write(Path.GetDirectoryName(data)!, address);
        Console.WriteLine($"""

            Analytics is running (embedded). Press Ctrl-C to stop.
              Demo page:  {address}/demo
              Beacon:     {address}/i.gif?site={site}&url={page}
              Dashboard:  {address}/dashboard/{site}   (a key: ./analytics key create --site {site})
              Stats:      {address}/api/stats/daily?site={site}   (with the key: Authorization: Bearer KEY)
              Stats API:  {address}/api/v2/query   (OpenAPI: {address}/api/openapi.json)
              Health:     {address}/healthz   {address}/readyz   {address}/metrics
              Data:       {data}

            """);
    }
}
