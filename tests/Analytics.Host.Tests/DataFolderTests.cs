namespace Analytics.Host.Tests;

/// <summary>Tests that each own a new data folder (`analytics run --data`), deleted after the test.</summary>
public abstract class DataFolderTests
{
    protected string Data { get; private set; } = "";

    [SetUp]
    public void NewDataFolder() => Data = RunningHost.NewDataPath();

    [TearDown]
    public void DeleteDataFolder()
    {
        if (Directory.Exists(Data))
        {
            Directory.Delete(Data, recursive: true);
        }
    }
}
