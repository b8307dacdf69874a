using System.Text.Json;
using Analytics.Collector.Enrichment.UserAgents;

namespace Analytics.Collector.Enrichment.Bots;

/// <summary>
/// Says whether a user-agent is a bot: no user-agent at all, a crawler pattern from the
/// crawler-user-agents list (npm, MIT), uap-core's device family "Spider", or a headless-browser or
/// automation marker (optional: a site's own end-to-end tests may want to be counted).
/// </summary>
public sealed class BotDetector
{
    /// <summary>Markers of browsers driven by a program rather than a person.</summary>
    private static readonly string[] HeadlessMarkers = ["HeadlessChrome", "PhantomJS", "SlimerJS", "Puppeteer", "Playwright", "Selenium", "Chrome-Lighthouse", "electron-fetch"];

    private readonly FilteredRegex[] _crawlers;
    private readonly bool _headlessIsBot;

    public BotDetector(IEnumerable<string> crawlerPatterns, bool headlessIsBot)
    {
        _crawlers = crawlerPatterns.Select(p => new FilteredRegex(p, ignoreCase: false)).ToArray();
        _headlessIsBot = headlessIsBot;
    }

    public int PatternCount => _crawlers.Length;

    /// <summary>Reads crawler-user-agents.json (an array of objects with a "pattern").</summary>
    public static IReadOnlyList<string> LoadPatterns(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"crawler patterns not found at {path} (run scripts/deps.sh, or set ANALYTICS_CACHE)", path);
        }
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        return [.. json.RootElement.EnumerateArray().Select(e => e.GetProperty("pattern").GetString()).OfType<string>()];
    }

    public bool IsBot(string? userAgent, UapDevice device)
    {
        if (string.IsNullOrWhiteSpace(userAgent) || device.Family == "Spider")
        {
            return true;
        }
        if (_headlessIsBot)
        {
            foreach (var marker in HeadlessMarkers)
            {
                if (userAgent.Contains(marker, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        foreach (var crawler in _crawlers)
        {
            if (crawler.IsMatch(userAgent))
            {
                return true;
            }
        }
        return false;
    }
}
