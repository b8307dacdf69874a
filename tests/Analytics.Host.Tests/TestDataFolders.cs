namespace Analytics.Host.Tests;

/// <summary>
/// Every data folder of this run lies under one folder of the run's own, deleted when the run ends: a test that
/// names its folder to restart a host on it, or fails halfway, leaves nothing in /tmp (a run made 21 such
/// folders, some of them hundreds of MB).
/// </summary>
[SetUpFixture]
public sealed class TestDataFolders
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), $"analytics-tests-{Environment.ProcessId}");

    /// <summary>A new empty folder under <see cref="Root"/> (a test's log files, say), deleted with it.</summary>
    public static string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(Root, $"{name}-{Guid.NewGuid():N}")).FullName;

    [OneTimeTearDown]
    public void DeleteRoot()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException e)
        {
            // A child process still closing its files; the folder's name says which run left it.
            TestContext.Progress.WriteLine($"could not delete {Root}: {e.Message}");
        }
    }
}
