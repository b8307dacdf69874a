using System.Security.Cryptography;
using Analytics.Bench.Load;
using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

/// <summary>The survey that reads a log once before anything is stored.</summary>
public class LogFileTests
{
    [TestCase("access.log")]
    [TestCase("access.log.gz")]
    public async Task The_fingerprint_is_the_sha256_of_the_files_bytes_and_every_line_is_counted(string name)
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 20, requestsPerClient: 30);
        var folder = TestDataFolders.NewFolder("logfile");
        var path = await log.WriteAsync(Path.Combine(folder, name));

        var survey = await LogFile.SurveyAsync(path, [], CancellationToken.None);

        Assert.That(survey.Fingerprint, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)))));
        Assert.That(survey.Lines, Is.EqualTo(log.Lines.Count));
    }
}
