using System.Collections.Concurrent;
using Analytics.Collector.Enrichment.Bots;
using Analytics.Pipeline;

namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>
/// Browser, OS, device type and bot flag of a user-agent, with a bounded LRU cache in front of the
/// uap-core parser and the crawler patterns (a cold parse takes tens of microseconds, a cached one a lookup).
/// </summary>
public sealed class UserAgentClassifier
{
    private static readonly UapResult Unknown = new(UapUserAgent.Other, UapOs.Other, UapDevice.Other);

    /// <summary>No user-agent at all: only programs send none.</summary>
    public static ClientDescription Missing { get; } = new(Unknown, UapParser.Other, "", UapParser.Other, "", DeviceTypes.Bot, true);

    /// <summary>
    /// An imported line from a log without a user-agent field: nothing is known of the client, so it is
    /// counted as a visitor's (as log analyzers count such logs), with browser, OS and device unknown.
    /// </summary>
    public static ClientDescription NotLogged { get; } = new(Unknown, UapParser.Other, "", UapParser.Other, "", DeviceTypes.Other, false);

    private readonly UapParser _parser;
    private readonly BotDetector _bots;
    private readonly LruCache<string, ClientDescription> _cache;
    private readonly Func<string, ClientDescription> _describe;
    private readonly int _maxLength;

    public UserAgentClassifier(UapParser parser, BotDetector bots, int cacheSize, int maxLength)
    {
        _parser = parser;
        _bots = bots;
        _cache = new LruCache<string, ClientDescription>(cacheSize, StringComparer.Ordinal);
        _describe = DescribeUncached;
        _maxLength = maxLength;
    }

    /// <summary>
    /// A classifier with the rule files named by <paramref name="options"/> (or the dependency cache's).
    /// The compiled rules are immutable and shared by every classifier in the process that names the same
    /// files (compiling ~2,700 regexes takes a while); each classifier has its own cache.
    /// </summary>
    public static UserAgentClassifier Create(UserAgentOptions options)
    {
        var regexes = string.IsNullOrEmpty(options.RegexesPath) ? DependencyCache.PathOf("uap-core/regexes.yaml") : Path.GetFullPath(options.RegexesPath);
        var crawlers = string.IsNullOrEmpty(options.CrawlersPath) ? DependencyCache.PathOf("crawlers/crawler-user-agents.json") : Path.GetFullPath(options.CrawlersPath);
        var parser = Parsers.GetOrAdd(regexes, path => new Lazy<UapParser>(() => new UapParser(UapRules.Load(path)))).Value;
        var bots = Detectors.GetOrAdd((crawlers, options.HeadlessIsBot), key => new Lazy<BotDetector>(() => new BotDetector(BotDetector.LoadPatterns(key.Path), key.Headless))).Value;
        return new UserAgentClassifier(parser, bots, options.CacheSize, options.MaxLength);
    }

    private static readonly ConcurrentDictionary<string, Lazy<UapParser>> Parsers = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<(string Path, bool Headless), Lazy<BotDetector>> Detectors = new();

    public int CachedCount => _cache.Count;

    public int RuleCount => _parser.RuleCount;

    public int CrawlerPatternCount => _bots.PatternCount;

    public ClientDescription Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return Missing;
        }
        if (userAgent.Length > _maxLength)
        {
            userAgent = userAgent[.._maxLength];
        }
        return _cache.GetOrAdd(userAgent, _describe);
    }

    /// <summary>Parses without the cache (benchmarks, and the cache's miss path).</summary>
    public ClientDescription DescribeUncached(string userAgent)
    {
        var lowered = userAgent.ToLowerInvariant();
        var parsed = _parser.Parse(userAgent, lowered);
        var isBot = _bots.IsBot(userAgent, lowered, parsed.Device);
        return new ClientDescription(
            parsed,
            parsed.UserAgent.Family,
            ClientDescription.Version(parsed.UserAgent.Major, parsed.UserAgent.Minor),
            parsed.Os.Family,
            ClientDescription.Version(parsed.Os.Major, parsed.Os.Minor),
            DeviceTypes.Classify(parsed, userAgent, isBot),
            isBot);
    }
}
