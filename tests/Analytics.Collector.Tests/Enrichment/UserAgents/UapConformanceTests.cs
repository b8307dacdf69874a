using Analytics.Collector.Enrichment.UserAgents;
using Analytics.Pipeline;
using YamlDotNet.Serialization;

namespace Analytics.Collector.Tests.Enrichment.UserAgents;

/// <summary>Every case of uap-core's own test files (the half in tests/data/uap) must pass.</summary>
public class UapConformanceTests
{
    private static readonly Lazy<UapParser> Parser = new(() => new UapParser(UapRules.Load(DependencyCache.PathOf("uap-core/regexes.yaml"))));

    [Test]
    public void Every_user_agent_case_passes()
    {
        Run("test_ua.yaml", ["family", "major", "minor", "patch"], ua =>
        {
            var r = Parser.Value.ParseUserAgent(ua);
            return [r.Family, r.Major, r.Minor, r.Patch];
        });
    }

    [Test]
    public void Every_os_case_passes()
    {
        Run("test_os.yaml", ["family", "major", "minor", "patch", "patch_minor"], ua =>
        {
            var r = Parser.Value.ParseOs(ua);
            return [r.Family, r.Major, r.Minor, r.Patch, r.PatchMinor];
        });
    }

    [Test]
    public void Every_device_case_passes()
    {
        Run("test_device.yaml", ["family", "brand", "model"], ua =>
        {
            var r = Parser.Value.ParseDevice(ua);
            return [r.Family, r.Brand, r.Model];
        });
    }

    internal static List<Dictionary<string, string?>> LoadCases(string file)
    {
        using var reader = File.OpenText(TestData.PathOf(Path.Combine("uap", file)));
        var doc = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, string?>>>>(reader);
        return doc["test_cases"];
    }

    private static void Run(string file, string[] fields, Func<string, string?[]> parse)
    {
        var cases = LoadCases(file);
        var failures = new List<string>();
        foreach (var c in cases)
        {
            var ua = c["user_agent_string"] ?? "";
            var actual = parse(ua);
            for (var i = 0; i < fields.Length; i++)
            {
                var expected = c.GetValueOrDefault(fields[i]);
                if (expected != actual[i])
                {
                    failures.Add($"{fields[i]}: expected '{expected ?? "null"}', got '{actual[i] ?? "null"}' for {ua}");
                    break;
                }
            }
        }
        TestContext.Out.WriteLine($"{file}: {cases.Count - failures.Count} of {cases.Count} cases passed");
        foreach (var failure in failures.Take(30))
        {
            TestContext.Out.WriteLine("  " + failure);
        }
        Assert.That(cases, Is.Not.Empty);
        Assert.That(failures, Is.Empty, $"{failures.Count} of {cases.Count} cases in {file} failed");
    }
}
