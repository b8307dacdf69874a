namespace Analytics.Collector.Tests;

/// <summary>
/// The upstream test data the tests read (uap-core conformance cases, MaxMind test databases) lives in the
/// repository's <c>tests/data/</c> (see its README): the nearest ancestor of the test binary that has one.
/// </summary>
internal static class TestData
{
    public static string PathOf(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "data", relativePath);
            if (Path.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"tests/data/{relativePath} not found above {AppContext.BaseDirectory}");
    }
}
