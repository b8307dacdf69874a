namespace Analytics.Pipeline;

/// <summary>
/// Finds files that scripts/deps.sh fetched (libchdb.so, regexes.yaml, GeoLite2, crawler patterns):
/// under $ANALYTICS_CACHE/deps, or the nearest .cache/deps above the running program.
/// </summary>
public static class DependencyCache
{
    public const string EnvironmentVariable = "ANALYTICS_CACHE";

    /// <summary>Full path of <paramref name="relativePath"/> in the cache (it may not exist).</summary>
    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.Combine(configured, "deps");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".cache", "deps");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return Path.Combine(Directory.GetCurrentDirectory(), ".cache", "deps");
    }
}
