namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>The browser, as uap-core names it; versions are null when absent.</summary>
public sealed record UapUserAgent(string Family, string? Major, string? Minor, string? Patch)
{
    public static UapUserAgent Other { get; } = new(UapParser.Other, null, null, null);
}

/// <summary>The operating system, as uap-core names it; versions are null when absent.</summary>
public sealed record UapOs(string Family, string? Major, string? Minor, string? Patch, string? PatchMinor)
{
    public static UapOs Other { get; } = new(UapParser.Other, null, null, null, null);
}

/// <summary>The device, as uap-core names it; brand and model are null when absent.</summary>
public sealed record UapDevice(string Family, string? Brand, string? Model)
{
    public static UapDevice Other { get; } = new(UapParser.Other, null, null);
}

/// <summary>All three uap-core answers for one user-agent string.</summary>
public sealed record UapResult(UapUserAgent UserAgent, UapOs Os, UapDevice Device);
