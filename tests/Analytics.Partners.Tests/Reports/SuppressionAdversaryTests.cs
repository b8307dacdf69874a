using Analytics.Partners.Configuration;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests.Reports;

/// <summary>
/// Random data, one partner's reports of one window over it (a cross-tabulation and every breakdown by fewer of
/// its dimensions, total and other rows included), and a reader who solves everything they publish together.
/// </summary>
public class SuppressionAdversaryTests
{
    private static readonly DateOnly Day = new(2026, 11, 28);
    private static readonly string[] Names = ["site", "country", "device_type"];

    /// <summary>
    /// What one partner gets for the window: a cross-tabulation with the breakdowns nested in it, or breakdowns by
    /// different dimensions side by side (the limits in docs/partners.md say why not both).
    /// </summary>
    private static readonly string[][][] Families =
    [
        [["site", "country", "device_type"], ["site", "country"], ["site"]],
        [["site", "country"], ["site", "device_type"], ["site"]],
    ];

    [Test]
    public async Task A_reader_who_solves_every_published_row_of_a_window_recovers_no_withheld_cell()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SUPPRESSION_SEED"), out var given) ? given : Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var reportsChecked = 0;
        for (var round = 0; round < 120; round++)
        {
            var k = random.Next(2, 12);
            var policy = random.Next(2) == 0 ? SmallCellPolicy.Suppress : SmallCellPolicy.FoldIntoOther;
            var family = random.Next(Families.Length);
            var source = RandomData(random, k);
            var atoms = source.Cells;
            var adversary = new LinearAdversary(atoms.Count, 3);
            var withheld = new List<(string Report, string Cell, bool[] Atoms, long[] Values)>();
            foreach (var shape in Families[family])
            {
                var query = new ReportQuery("acme", string.Join('+', shape), ["s1", "s2"], shape, ["visits", "pageviews"],
                    new Dictionary<string, string>(), Granularity.Day, new ReportWindow(Day, Day));
                var table = await SmallCellSuppression.BuildAsync(source, query, k, policy, CancellationToken.None);
                reportsChecked++;
                var cells = await source.RowsAsync(query, CancellationToken.None);
                var shown = table.Rows.Where(r => r.Type == RowType.Cell).Select(r => string.Join('/', r.Dimensions)).ToHashSet();
                var hiddenAtoms = new bool[atoms.Count];
                foreach (var cell in cells)
                {
                    var set = AtomsOf(atoms, shape, cell.Dimensions);
                    if (shown.Contains(string.Join('/', cell.Dimensions)))
                    {
                        continue;
                    }
                    withheld.Add((query.ReportId, string.Join('/', cell.Dimensions), set, [cell.Visitors, .. cell.Metrics]));
                    for (var a = 0; a < set.Length; a++)
                    {
                        hiddenAtoms[a] |= set[a];
                    }
                }
                foreach (var row in table.Rows.Where(r => r.Visitors is not null))
                {
                    var set = row.Type switch
                    {
                        RowType.Cell => AtomsOf(atoms, shape, row.Dimensions),
                        RowType.Other => hiddenAtoms,
                        _ => Enumerable.Repeat(true, atoms.Count).ToArray(),
                    };
                    adversary.Publish(set, [row.Visitors!.Value, row.Metrics[0]!.Value, row.Metrics[1]!.Value]);
                    if (Environment.GetEnvironmentVariable("SUPPRESSION_DEBUG") == round.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        TestContext.Out.WriteLine($"{query.ReportId} {row.Type} {string.Join('/', row.Dimensions)} = {row.Visitors} {row.Metrics[0]} {row.Metrics[1]} atoms {string.Join(' ', Enumerable.Range(0, atoms.Count).Where(a => set[a]).Select(a => string.Join('/', atoms[a].Dimensions)))}");
                    }
                }
                if (table.Rows.Single(r => r.Type == RowType.Total).Visitors is null)
                {
                    withheld.Add((query.ReportId, "total", Enumerable.Repeat(true, atoms.Count).ToArray(), []));
                }
            }

            if (Environment.GetEnvironmentVariable("SUPPRESSION_DEBUG") == round.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                foreach (var atom in atoms)
                {
                    TestContext.Out.WriteLine($"atom {string.Join('/', atom.Dimensions)} {atom.Visitors} {string.Join(' ', atom.Metrics)}");
                }
            }
            foreach (var (report, cell, set, values) in withheld)
            {
                var context = $"seed {seed} round {round} k={k} {policy} family {family}: {report} cell {cell} ({string.Join(", ", values)})";
                Assert.That(adversary.Solves(set), Is.False, "solved exactly by linear algebra: " + context);
                Assert.That(adversary.Pinned(set), Has.All.Null, "pinned by bounds: " + context);
            }
        }
        TestContext.Out.WriteLine($"{reportsChecked} reports checked");
    }

    /// <summary>
    /// Every combination of two sites, 2-5 countries and 2-4 device types, with 1 to 2k visitors (most small), at
    /// least as many visits, and pageviews that may be zero.
    /// </summary>
    private static FakeAggregateSource RandomData(Random random, int k)
    {
        var source = new FakeAggregateSource { Names = Names };
        var countries = random.Next(2, 6);
        var devices = random.Next(2, 5);
        foreach (var site in new[] { "s1", "s2" })
        {
            for (var c = 0; c < countries; c++)
            {
                for (var d = 0; d < devices; d++)
                {
                    var visitors = random.Next(3) == 0 ? random.Next(k, 2 * k + 1) : random.Next(1, k + 1);
                    var visits = visitors + random.Next(0, visitors + 1);
                    var pageviews = random.Next(4) == 0 ? 0 : random.Next(0, 3 * visits);
                    source.Cells.Add(new AggregateRow(Day, [site, "C" + c, "D" + d], visitors, [visits, pageviews]));
                }
            }
        }
        return source;
    }

    private static bool[] AtomsOf(List<AggregateRow> atoms, string[] shape, IReadOnlyList<string> values) =>
        atoms.Select(a => shape.Select((name, i) => a.Dimensions[Array.IndexOf(Names, name)] == values[i]).All(x => x)).ToArray();
}
