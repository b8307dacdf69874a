using System.Buffers;
using System.Text;
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

    private readonly SearchValues<string> _literals;
    private readonly FilteredRegex[] _crawlers;
    private readonly bool _headlessIsBot;

    public BotDetector(IEnumerable<string> crawlerPatterns, bool headlessIsBot)
    {
        var patterns = crawlerPatterns.ToList();
        // Three in four patterns are plain text ("Googlebot\/"): one multi-string search finds any of them.
        var literals = new List<string>();
        var regexes = new List<FilteredRegex>();
        foreach (var pattern in patterns)
        {
            if (AsLiteral(pattern) is { } literal)
            {
                literals.Add(literal);
            }
            else
            {
                regexes.Add(new FilteredRegex(pattern, ignoreCase: false));
            }
        }
        _literals = SearchValues.Create([.. literals.Distinct(StringComparer.Ordinal)], StringComparison.Ordinal);
        _crawlers = [.. regexes];
        _headlessIsBot = headlessIsBot;
        PatternCount = patterns.Count;
    }

    public int PatternCount { get; }

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

    public bool IsBot(string? userAgent, UapDevice device) => IsBot(userAgent, userAgent?.ToLowerInvariant(), device);

    /// <param name="userAgent">The user-agent.</param>
    /// <param name="lowered"><paramref name="userAgent"/>.ToLowerInvariant(), for the patterns' case-insensitive literals.</param>
    /// <param name="device">uap-core's device answer.</param>
    public bool IsBot(string? userAgent, string? lowered, UapDevice device)
    {
        if (string.IsNullOrWhiteSpace(userAgent) || device.Family == "Spider")
        {
            return true;
        }
        lowered ??= userAgent.ToLowerInvariant();
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
        if (userAgent.AsSpan().ContainsAny(_literals))
        {
            return true;
        }
        foreach (var crawler in _crawlers)
        {
            if (crawler.IsMatch(userAgent, lowered))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The text a pattern matches when it has no regex syntax beyond escaped punctuation; null otherwise.</summary>
    internal static string? AsLiteral(string pattern)
    {
        var literal = new StringBuilder(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length || char.IsAsciiLetterOrDigit(pattern[i + 1]))
                {
                    return null;
                }
                literal.Append(pattern[++i]);
            }
            else if (c is '^' or '$' or '.' or '|' or '?' or '*' or '+' or '(' or ')' or '[' or ']' or '{' or '}')
            {
                return null;
            }
            else
            {
                literal.Append(c);
            }
        }
        return literal.Length > 0 ? literal.ToString() : null;
    }
}
