using System.Diagnostics;
using Analytics.Bench;

namespace Analytics.Host.Tests.Bench;

/// <summary>The commit a report names: the checkout's, wherever the harness was started from.</summary>
public class ReportCommitTests
{
    private string _folder = "";

    [SetUp]
    public void NewFolder() => _folder = Directory.CreateTempSubdirectory("report-commit-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_checkout_is_named_by_its_commit_and_marked_when_its_files_changed()
    {
        Git("init", "-q");
        File.WriteAllText(Path.Combine(_folder, "a.txt"), "one");
        Git("add", "a.txt");
        Git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "one");
        var head = Git("rev-parse", "HEAD").Trim();

        var clean = Tools.Commit(_folder);
        File.WriteAllText(Path.Combine(_folder, "a.txt"), "two");
        var changed = Tools.Commit(_folder);

        Assert.That(head, Does.StartWith(clean).And.Length.EqualTo(40));
        Assert.That(clean, Has.Length.InRange(7, 40));
        Assert.That(changed, Is.EqualTo(clean + " with uncommitted changes"));
    }

    [Test]
    public void A_folder_outside_any_checkout_is_named_unknown_not_by_gits_error()
    {
        var commit = Tools.Commit(_folder);

        Assert.That(commit, Is.EqualTo($"unknown ({_folder} is not a git checkout)"));
    }

    private string Git(params string[] arguments)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = _folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.That(git.ExitCode, Is.Zero, $"git {string.Join(' ', arguments)}: {error}");
        return output;
    }
}
