namespace Analytics.Host.Cli;

/// <summary>
/// The address `analytics run` listens on, written into its data folder, so that commands run beside it
/// (`key create`, `key share`) print links that open on the running host whatever `--urls` it was given.
/// </summary>
public static class HostAddressFile
{
    private const string FileName = "address";
    private const string Default = "http://127.0.0.1:5080";

    public static void Write(string dataFolder, string address)
    {
        Directory.CreateDirectory(dataFolder);
        File.WriteAllText(Path.Combine(dataFolder, FileName), address + "\n");
    }

    /// <summary>The address the last host started on this data folder printed; the default port when none did.</summary>
    public static string Read(string dataFolder)
    {
        var path = Path.Combine(dataFolder, FileName);
        return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } address ? address : Default;
    }
}
