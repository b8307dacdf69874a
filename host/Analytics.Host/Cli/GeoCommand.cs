using System.Buffers;
using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Collector.Enrichment.Geo;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Cli;

/// <summary>
/// `analytics geo [--db FILE]`: locates IP addresses read from stdin, one per line, and prints one JSON
/// line each: ISO country and region codes and the English city name, null when unknown (private and
/// unroutable addresses are always unknown, as in the collector).
/// </summary>
public static class GeoCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "A MaxMind City or Country database (default: GeoLite2-City from the dependency cache)" };
        var command = new Command("geo", "Read IP addresses from stdin (one per line); print country, region and city as one JSON line each.")
        {
            db,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(db), Console.In, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(string? database, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var options = new GeoOptions { DatabasePath = database ?? "", CacheSize = 0, ReloadCheckInterval = TimeSpan.FromDays(1) };
        using var locator = new GeoLocator(Options.Create(options), NullLogger<GeoLocator>.Instance);
        try
        {
            locator.Start();
        }
        catch (GeoDatabaseException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer);
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            var text = line.Trim();
            var location = IPAddress.TryParse(text, out var address) ? locator.Locate(address) : GeoLocation.Unknown;
            buffer.ResetWrittenCount();
            json.Reset();
            json.WriteStartObject();
            json.WriteString("ip", text);
            json.WriteString("country", NullIfEmpty(location.Country));
            json.WriteString("region", NullIfEmpty(location.Region));
            json.WriteString("city", NullIfEmpty(location.City));
            json.WriteEndObject();
            json.Flush();
            await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
            await output.FlushAsync(cancellationToken);
        }
        return 0;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
