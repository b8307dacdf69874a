namespace Analytics.Host.Tests.Cli;

/// <summary>The checkout the tests run from: the folder holding Analytics.sln above the test binaries.</summary>
public static class RepositoryFolder
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no Analytics.sln above {AppContext.BaseDirectory}");
    }
}
