using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Tests.Fields;

/// <summary>
/// HitFields.g.cs is checked in (readable in reviews, no generator in the build); this test regenerates it
/// from the declaration and fails when the two differ. With ANALYTICS_REGENERATE=1 it writes the file instead.
/// </summary>
public class HitFieldsCodeTests
{
    [Test]
    public void The_generated_code_is_what_the_declaration_makes()
    {
        var path = Path.Combine(RepositoryRoot(), HitFieldsCode.RelativePath);
        var expected = HitFieldsCode.Render(HitFields.All);

        if (Environment.GetEnvironmentVariable("ANALYTICS_REGENERATE") == "1")
        {
            File.WriteAllText(path, expected);
            Assert.Pass($"{HitFieldsCode.RelativePath} written: rebuild.");
        }

        Assert.That(File.ReadAllText(path), Is.EqualTo(expected),
            $"{HitFieldsCode.RelativePath} is stale: run ANALYTICS_REGENERATE=1 dotnet test tests/Analytics.Pipeline.Tests --filter HitFieldsCodeTests, then rebuild.");
    }

    [Test]
    public void Every_column_is_declared_once()
    {
        Assert.That(HitFields.All.Select(f => f.Column), Is.Unique);
        Assert.That(HitFields.All.Select(f => f.Property).OfType<string>(), Is.Unique);
        Assert.That(HitFields.All.Select(f => f.Dimension?.Name).OfType<string>(), Is.Unique);
    }

    [Test]
    public void A_field_added_after_version_1_of_the_message_is_a_string_of_the_hit()
    {
        var later = HitFields.All.Where(f => f.Message > 1).ToList();

        Assert.That(later.Select(f => f.ClickHouseType), Has.All.EqualTo("String").Or.EqualTo("LowCardinality(String)"));
        Assert.That(later.Select(f => f.Property), Has.None.Null);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Analytics.sln not found above the test directory.");
    }
}
