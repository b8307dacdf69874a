namespace Analytics.Collector.Tests;

/// <summary>
/// The shared test data (uap-core conformance cases, MaxMind test databases) lives in a <c>shared/</c>
/// folder beside the repository: the nearest ancestor of the test binary that has one.
/// </summary>
internal static class SharedFolder
{
    public static string PathOf(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", relativePath);
            if (Path.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            $"shared/{relativePath} not found above {AppContext.BaseDirectory}: check out the shared folder beside the repository");
    }
}
