using System.Diagnostics;

namespace Analytics.Host.Tests.Cli;

/// <summary>
/// `./analytics` rebuilds the CLI when scripts/changed-source.sh names a source newer than the last build.
/// Run against a throwaway git checkout: a tracked source saved after the build is named (the check once
/// named nothing at all, so an updated checkout ran its old build), files `run` writes into the data folder
/// are not.
/// </summary>
public sealed class ChangedSourceScriptTests
{
    private string _checkout = null!;
    private string _stamp = null!;

    [SetUp]
    public async Task CreateCheckout()
    {
        _checkout = Directory.CreateTempSubdirectory("changed-source-").FullName;
        Directory.CreateDirectory(Path.Combine(_checkout, "src"));
        await File.WriteAllTextAsync(Path.Combine(_checkout, "src", "Program.cs"), "class Program;");
        await File.WriteAllTextAsync(Path.Combine(_checkout, "README.md"), "not a source");
        await RunAsync("git", "init", "-q");
        await RunAsync("git", "add", ".");
        _stamp = Path.Combine(_checkout, ".stamp");
        await File.WriteAllTextAsync(_stamp, "");
        // Sources older than the stamp: the build saw them.
        var built = File.GetLastWriteTimeUtc(_stamp);
        File.SetLastWriteTimeUtc(Path.Combine(_checkout, "src", "Program.cs"), built.AddMinutes(-1));
        File.SetLastWriteTimeUtc(Path.Combine(_checkout, "README.md"), built.AddMinutes(-1));
    }

    [TearDown]
    public void RemoveCheckout() => Directory.Delete(_checkout, recursive: true);

    [Test]
    public async Task Nothing_is_named_when_no_source_changed_since_the_build() =>
        Assert.That(await ChangedSourceAsync(), Is.Empty);

    [Test]
    public async Task A_tracked_source_saved_after_the_build_is_named()
    {
        File.SetLastWriteTimeUtc(Path.Combine(_checkout, "src", "Program.cs"), File.GetLastWriteTimeUtc(_stamp).AddMinutes(1));

        Assert.That(await ChangedSourceAsync(), Is.EqualTo("src/Program.cs"));
    }

    [Test]
    public async Task Files_the_running_host_writes_into_its_data_folder_are_not_sources()
    {
        Directory.CreateDirectory(Path.Combine(_checkout, "data", "store"));
        await File.WriteAllTextAsync(Path.Combine(_checkout, "data", "store", "hits.sql"), "ATTACH TABLE hits");
        await File.WriteAllTextAsync(Path.Combine(_checkout, "data", "keys.json"), "{}");
        File.SetLastWriteTimeUtc(Path.Combine(_checkout, "README.md"), File.GetLastWriteTimeUtc(_stamp).AddMinutes(1));

        Assert.That(await ChangedSourceAsync(), Is.Empty);
    }

    private async Task<string> ChangedSourceAsync() =>
        (await RunAsync(Path.Combine(RepositoryFolder.Root(), "scripts", "changed-source.sh"), _checkout, _stamp)).Trim();

    private async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = _checkout, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        Assert.That(process.ExitCode, Is.Zero, () => $"{program}: {stderr.Result}");
        return await stdout;
    }
}
