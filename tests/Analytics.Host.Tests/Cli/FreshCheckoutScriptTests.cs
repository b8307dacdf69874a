using System.Diagnostics;

namespace Analytics.Host.Tests.Cli;

/// <summary>
/// `./analytics` on a checkout that was never built: the way every new user meets it. A copy of the
/// repository's tracked files (as they are in the working tree) gets its first real build from the script,
/// answers, and is not built again on the next call. The script once failed here before building, because
/// the build folder it stamps did not exist yet.
/// </summary>
public sealed class FreshCheckoutScriptTests
{
    private string _checkout = null!;

    [SetUp]
    public async Task CopyTrackedFiles()
    {
        _checkout = Directory.CreateTempSubdirectory("fresh-checkout-").FullName;
        var root = RepositoryFolder.Root();
        var tracked = (await RunAsync(root, "git", "ls-files", "-z")).Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        foreach (var file in tracked.Where(f => File.Exists(Path.Combine(root, f))))
        {
            var target = Path.Combine(_checkout, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(root, file), target);
        }
        await RunAsync(_checkout, "git", "init", "-q");
        await RunAsync(_checkout, "git", "add", ".");
    }

    [TearDown]
    public void RemoveCheckout() => Directory.Delete(_checkout, recursive: true);

    [Test]
    public async Task The_first_call_builds_and_answers_and_the_second_reuses_the_build()
    {
        var first = await RunAsync(_checkout, Path.Combine(_checkout, "analytics"), "--help");

        Assert.Multiple(() =>
        {
            Assert.That(first.Stderr, Does.Contain("building"));
            Assert.That(first.Stdout, Does.Contain("run"), "the CLI's help lists its commands");
            Assert.That(File.Exists(Path.Combine(_checkout, ".cache", "build", "host", "analytics.dll")), Is.True);
        });

        var second = await RunAsync(_checkout, Path.Combine(_checkout, "analytics"), "--help");

        Assert.That(second.Stderr, Does.Not.Contain("building"));
    }

    private static async Task<(string Stdout, string Stderr)> RunAsync(string directory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        // A first build of the host and its projects: minutes on a busy two-core machine.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        Assert.That(process.ExitCode, Is.Zero, () => $"{program} {string.Join(' ', arguments)}: {stderr.Result}");
        return (await stdout, await stderr);
    }
}
