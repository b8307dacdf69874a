using System.Globalization;
using Analytics.Partners.Privacy;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>
/// The accuracy table of docs/partners.md, computed from the published parameters of both mechanisms (each checked
/// against its distribution in DpParametersTests and GaussianCalibrationTests): the docs must show what the code gives.
/// Run it to print the table: dotnet test tests/Analytics.Partners.Tests --filter DpAccuracyTableTests --logger "console;verbosity=detailed".
/// </summary>
public class DpAccuracyTableTests
{
    private static readonly int[] CellSizes = [100, 1_000, 10_000];

    [Test]
    public void The_accuracy_table_in_the_docs_is_what_the_parameters_give()
    {
        var lines = new List<string>();
        foreach (var (cells, metrics) in new[] { (1, 1), (3, 1), (10, 1), (10, 3) })
        {
            foreach (var mechanism in new[] { NoiseMechanism.DiscreteLaplace, NoiseMechanism.DiscreteGaussian })
            {
                var p = DpNoise.ParametersFor(new PrivacyOptions
                {
                    Mode = PrivacyMode.DifferentialPrivacy,
                    Mechanism = mechanism,
                    Epsilon = 1m,
                    Delta = 0.000001m,
                    MaxCellsPerVisitor = cells,
                    MaxContributionsPerVisitor = 3,
                }, metrics);
                var scale = mechanism == NoiseMechanism.DiscreteGaussian ? $"σ = {p.VisitorsScale:0.##}" : $"b = {p.VisitorsScale:0.##}";
                var relative = CellSizes.Select(n => Percent(100.0 * p.VisitorsHalfWidth95 / n));
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {cells} | {metrics} | {p.Mechanism} | {scale} | ±{p.VisitorsHalfWidth95} | ±{p.MetricHalfWidth95} | {p.Threshold} | {string.Join(" | ", relative)} |"));
            }
        }
        TestContext.Out.WriteLine(string.Join('\n', lines));

        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "partners.md"));
        Assert.That(lines.Where(l => !docs.Contains(l, StringComparison.Ordinal)), Is.Empty, "rows docs/partners.md does not show as computed");
    }

    private static string Percent(double value) =>
        value.ToString(value >= 10 ? "F0" : "G2", CultureInfo.InvariantCulture) + "%";

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "docs", "partners.md")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new DirectoryNotFoundException("no docs/partners.md above the test directory");
    }
}
