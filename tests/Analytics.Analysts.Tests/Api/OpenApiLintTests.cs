using System.Diagnostics;
using System.Text.Json;
using Analytics.Pipeline;

namespace Analytics.Analysts.Tests.Api;

/// <summary>
/// The OpenAPI document a running host serves passes Redocly's linter with the repository's redocly.yaml
/// (its recommended rules), so client generators get a summary, an operationId and the refusals of every
/// operation. test.sh installs the linter into the dependency cache.
/// </summary>
public sealed class OpenApiLintTests
{
    [Test]
    public async Task The_served_openapi_document_lints_clean()
    {
        var linter = Path.Combine(DependencyCache.Root, "..", "tools", "redocly", "node_modules", ".bin", "redocly");
        Assert.That(File.Exists(linter), Is.True, $"{linter} is missing: ./test.sh installs it");
        var document = Path.Combine(Path.GetTempPath(), "openapi-" + Guid.NewGuid().ToString("N") + ".json");
        await using (var host = await StatsHost.StartAsync())
        {
            using var client = host.Client(null);
            await File.WriteAllTextAsync(document, await client.GetStringAsync("/api/openapi.json"));
        }

        var start = new ProcessStartInfo(linter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "lint", document, "--config", RepositoryFile("redocly.yaml"), "--format", "json" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);

        using var report = JsonDocument.Parse(await stdout);
        var problems = report.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} {p.GetProperty("location")[0].GetProperty("pointer").GetString()}")
            .ToList();
        Assert.That(problems, Is.Empty, await stderr);
        Assert.That(process.ExitCode, Is.EqualTo(0));
        File.Delete(document);
    }

    private static string RepositoryFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, name)) && File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
            {
                return Path.Combine(dir.FullName, name);
            }
        }
        throw new FileNotFoundException($"{name} not found above {AppContext.BaseDirectory}");
    }
}
