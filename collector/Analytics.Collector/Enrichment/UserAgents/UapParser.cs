namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>
/// uap-core's parser (docs/specification.md): for each of user agent, OS and device, the first rule
/// whose regex matches anywhere in the string wins, and its replacements fill the fields; no match
/// gives family "Other". Uncached; the classifier puts an LRU cache in front.
/// </summary>
public sealed class UapParser(UapRules rules)
{
    public const string Other = "Other";

    public int RuleCount => rules.Count;

    public UapResult Parse(string userAgent) => Parse(userAgent, userAgent.ToLowerInvariant());

    /// <param name="userAgent">The user-agent.</param>
    /// <param name="lowered"><paramref name="userAgent"/>.ToLowerInvariant(), shared by all rules' filters.</param>
    public UapResult Parse(string userAgent, string lowered) =>
        new(ParseUserAgent(userAgent, lowered), ParseOs(userAgent, lowered), ParseDevice(userAgent, lowered));

    public UapUserAgent ParseUserAgent(string userAgent) => ParseUserAgent(userAgent, userAgent.ToLowerInvariant());

    public UapOs ParseOs(string userAgent) => ParseOs(userAgent, userAgent.ToLowerInvariant());

    public UapDevice ParseDevice(string userAgent) => ParseDevice(userAgent, userAgent.ToLowerInvariant());

    private UapUserAgent ParseUserAgent(string userAgent, string lowered)
    {
        foreach (var rule in rules.UserAgents)
        {
            if (rule.Pattern.Find(userAgent, lowered) is not { } m)
            {
                continue;
            }
            // The family's replacement substitutes only $1; versions are taken literally or from groups 2-4.
            var family = rule.Family is null
                ? UapTemplate.GroupOrNull(m, 1)
                : rule.Family.Contains("$1", StringComparison.Ordinal) ? rule.Family.Replace("$1", m.Groups[1].Value, StringComparison.Ordinal) : rule.Family;
            return new UapUserAgent(
                family ?? Other,
                rule.Major ?? UapTemplate.GroupOrNull(m, 2),
                rule.Minor ?? UapTemplate.GroupOrNull(m, 3),
                rule.Patch ?? UapTemplate.GroupOrNull(m, 4));
        }
        return UapUserAgent.Other;
    }

    private UapOs ParseOs(string userAgent, string lowered)
    {
        foreach (var rule in rules.Os)
        {
            if (rule.Pattern.Find(userAgent, lowered) is not { } m)
            {
                continue;
            }
            return new UapOs(
                UapTemplate.Expand(rule.Family ?? "$1", m) ?? Other,
                UapTemplate.Expand(rule.Major ?? "$2", m),
                UapTemplate.Expand(rule.Minor ?? "$3", m),
                UapTemplate.Expand(rule.Patch ?? "$4", m),
                UapTemplate.Expand(rule.PatchMinor ?? "$5", m));
        }
        return UapOs.Other;
    }

    private UapDevice ParseDevice(string userAgent, string lowered)
    {
        foreach (var rule in rules.Devices)
        {
            if (rule.Pattern.Find(userAgent, lowered) is not { } m)
            {
                continue;
            }
            return new UapDevice(
                UapTemplate.Expand(rule.Family ?? "$1", m) ?? Other,
                rule.Brand is null ? null : UapTemplate.Expand(rule.Brand, m),
                UapTemplate.Expand(rule.Model ?? "$1", m));
        }
        return UapDevice.Other;
    }
}
