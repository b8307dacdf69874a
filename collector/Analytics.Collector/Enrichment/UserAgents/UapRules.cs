using YamlDotNet.Serialization;

namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>The three ordered rule lists of uap-core's <c>regexes.yaml</c>, compiled to .NET regexes.</summary>
public sealed class UapRules
{
    private UapRules(UaRule[] userAgents, OsRule[] os, DeviceRule[] devices)
    {
        UserAgents = userAgents;
        Os = os;
        Devices = devices;
    }

    internal UaRule[] UserAgents { get; }

    internal OsRule[] Os { get; }

    internal DeviceRule[] Devices { get; }

    public int Count => UserAgents.Length + Os.Length + Devices.Length;

    /// <summary>Reads and compiles <paramref name="path"/>; throws with the file and rule named when it cannot.</summary>
    public static UapRules Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"uap-core regexes not found at {path} (run scripts/deps.sh, or set ANALYTICS_CACHE)", path);
        }
        using var reader = File.OpenText(path);
        var yaml = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, string?>>>>(reader);
        List<Dictionary<string, string?>> Section(string name) =>
            yaml.TryGetValue(name, out var list) ? list : throw new InvalidDataException($"{path} has no '{name}' section");

        return new UapRules(
            Section("user_agent_parsers").Select((r, i) => new UaRule(
                Compile(path, "user_agent_parsers", i, r),
                Get(r, "family_replacement"), Get(r, "v1_replacement"), Get(r, "v2_replacement"), Get(r, "v3_replacement"))).ToArray(),
            Section("os_parsers").Select((r, i) => new OsRule(
                Compile(path, "os_parsers", i, r),
                Get(r, "os_replacement"), Get(r, "os_v1_replacement"), Get(r, "os_v2_replacement"), Get(r, "os_v3_replacement"), Get(r, "os_v4_replacement"))).ToArray(),
            Section("device_parsers").Select((r, i) => new DeviceRule(
                Compile(path, "device_parsers", i, r),
                Get(r, "device_replacement"), Get(r, "brand_replacement"), Get(r, "model_replacement"))).ToArray());
    }

    private static string? Get(Dictionary<string, string?> rule, string key) => rule.TryGetValue(key, out var value) ? value : null;

    private static FilteredRegex Compile(string path, string section, int index, Dictionary<string, string?> rule)
    {
        var pattern = Get(rule, "regex") ?? throw new InvalidDataException($"{path}: {section}[{index}] has no regex");
        try
        {
            // Matching is case-sensitive and unanchored unless the rule says regex_flag: 'i' (the spec).
            return new FilteredRegex(pattern, Get(rule, "regex_flag") == "i");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {section}[{index}] regex is not valid for .NET: {e.Message}", e);
        }
    }
}

internal sealed record UaRule(FilteredRegex Pattern, string? Family, string? Major, string? Minor, string? Patch);

internal sealed record OsRule(FilteredRegex Pattern, string? Family, string? Major, string? Minor, string? Patch, string? PatchMinor);

internal sealed record DeviceRule(FilteredRegex Pattern, string? Family, string? Brand, string? Model);
