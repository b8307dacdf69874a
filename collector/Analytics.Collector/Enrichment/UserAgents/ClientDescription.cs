namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>What the collector keeps of a user-agent: derived fields only (the string itself is dropped).</summary>
public sealed record ClientDescription(UapResult Parsed, string Browser, string BrowserVersion, string Os, string OsVersion, string DeviceType, bool IsBot)
{
    /// <summary>"major.minor", "major" or "" when uap-core found no version.</summary>
    internal static string Version(string? major, string? minor) =>
        major is null ? "" : minor is null ? major : major + "." + minor;
}
