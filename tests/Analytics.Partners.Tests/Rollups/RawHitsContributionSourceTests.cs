using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests.Rollups;

/// <summary>Contribution bounding computed by chDB from raw hits.</summary>
public class RawHitsContributionSourceTests
{
    private static readonly DateOnly Day = new(2026, 11, 28);

    private static ReportQuery Query(params string[] dimensions) =>
        new("acme", "dp", ["demo"], ["site", .. dimensions], ["pageviews"], new Dictionary<string, string>(), Granularity.Day, new ReportWindow(Day, Day));

    [Test]
    public async Task One_visitor_with_1000_pageviews_moves_a_cell_by_at_most_the_clamp()
    {
        var db = await Engine.NewDatabaseAsync();
        var data = new RollupData(db);
        await data.VisitAsync(Day, "/", visitors: 10, views: 1, country: "FR");
        await data.VisitAsync(Day, "/", visitors: 1, views: 1000, country: "FR");
        var source = new RawHitsContributionSource(() => db);

        var rows = await source.BoundedRowsAsync(Query("country"), maxCellsPerVisitor: 1, maxContributionsPerVisitor: 3, CancellationToken.None);

        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That(rows[0].Visitors, Is.EqualTo(11));
        Assert.That(rows[0].Metrics[0], Is.EqualTo(10 + 3), "10 visitors with 1 pageview, the heavy one clamped to 3");
    }

    [Test]
    public async Task A_visitor_counts_in_at_most_the_configured_number_of_cells()
    {
        var db = await Engine.NewDatabaseAsync();
        var data = new RollupData(db);
        var roamer = new List<Guid> { Guid.NewGuid() };
        foreach (var country in new[] { "FR", "DE", "IT", "ES", "PT" })
        {
            await data.VisitAsync(Day, "/", visitors: 1, views: 2, country: country, same: roamer);
            await data.VisitAsync(Day, "/", visitors: 4, views: 1, country: country);
        }
        var source = new RawHitsContributionSource(() => db);

        var rows = await source.BoundedRowsAsync(Query("country"), maxCellsPerVisitor: 2, maxContributionsPerVisitor: 5, CancellationToken.None);

        Assert.That(rows, Has.Count.EqualTo(5));
        Assert.That(rows.Sum(r => r.Visitors), Is.EqualTo((5 * 4) + 2), "the roamer is kept in 2 of its 5 cells");
        Assert.That(rows.Sum(r => r.Metrics[0]), Is.EqualTo((5 * 4) + (2 * 2)));
        Assert.That(rows.Select(r => r.Visitors), Has.All.InRange(4, 5));
    }
}
