namespace Analytics.Partners.Tests;

/// <summary>
/// The partners' stores of this run (privacy ledgers) lie under one folder of the run's own, deleted when the run ends,
/// so runs leave nothing in /tmp.
/// </summary>
[SetUpFixture]
public sealed class TestFolders
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), $"analytics-partners-tests-{Environment.ProcessId}");

    [OneTimeTearDown]
    public void DeleteRoot()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
