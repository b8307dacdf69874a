namespace Analytics.Benchmarks.Enrichment;

/// <summary>The user-agent strings of the uap-core conformance cases in tests/data/uap/test_ua.yaml.</summary>
internal static class ConformanceStrings
{
    private const string Prefix = "- user_agent_string: ";

    public static IReadOnlyList<string> Load()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "tests", "data", "uap", "test_ua.yaml");
            if (File.Exists(file))
            {
                return [.. File.ReadLines(file).Where(l => l.StartsWith(Prefix, StringComparison.Ordinal)).Select(l => Unquote(l[Prefix.Length..]))];
            }
        }
        throw new FileNotFoundException("tests/data/uap/test_ua.yaml not found above " + AppContext.BaseDirectory);
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '\'' && value[^1] == '\'' ? value[1..^1].Replace("''", "'", StringComparison.Ordinal)
        : value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1]
        : value;
}
