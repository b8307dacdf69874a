using System.ComponentModel.DataAnnotations;

namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>User-agent parsing and bot detection, section "Enrichment:UserAgents".</summary>
public sealed record UserAgentOptions
{
    public const string Section = "Enrichment:UserAgents";

    /// <summary>uap-core's regexes.yaml; empty: uap-core/regexes.yaml in the dependency cache.</summary>
    public string RegexesPath { get; init; } = "";

    /// <summary>crawler-user-agents.json; empty: crawlers/crawler-user-agents.json in the dependency cache.</summary>
    public string CrawlersPath { get; init; } = "";

    /// <summary>Distinct user-agents whose classification is kept (least recently used go first).</summary>
    [Range(16, 1_000_000)]
    public int CacheSize { get; init; } = 10_000;

    /// <summary>Only this many leading characters are parsed (longer strings are padding or attacks).</summary>
    [Range(64, 8192)]
    public int MaxLength { get; init; } = 1024;

    /// <summary>Count headless browsers and automation tools (HeadlessChrome, Puppeteer, ...) as bots.</summary>
    public bool HeadlessIsBot { get; init; } = true;
}
