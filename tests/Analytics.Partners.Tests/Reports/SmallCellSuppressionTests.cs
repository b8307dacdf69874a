using Analytics.Partners.Configuration;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests.Reports;

public class SmallCellSuppressionTests
{
    private static readonly DateOnly Day = new(2026, 11, 28);

    private static ReportQuery Query(Granularity granularity = Granularity.Day, DateOnly? to = null) =>
        new("acme", "daily", ["demo"], ["site", "country"], ["pageviews"], new Dictionary<string, string>(), granularity, new ReportWindow(Day, to ?? Day));

    private static Task<ReportTable> Build(FakeAggregateSource source, int k = 10, SmallCellPolicy policy = SmallCellPolicy.Suppress, ReportQuery? query = null) =>
        SmallCellSuppression.BuildAsync(source, query ?? Query(), k, policy, CancellationToken.None);

    [Test]
    public async Task A_cell_with_exactly_k_visitors_is_published()
    {
        var table = await Build(new FakeAggregateSource().Add(Day, 10, 31, "demo", "FR"));

        var cell = table.Rows.Single(r => r.Type == RowType.Cell);
        Assert.That(cell.Dimensions, Is.EqualTo(new[] { "demo", "FR" }));
        Assert.That(cell.Visitors, Is.EqualTo(10));
        Assert.That(cell.Metrics, Is.EqualTo(new long?[] { 31 }));
        Assert.That(table.WithheldCells, Is.Zero);
    }

    [Test]
    public async Task A_lone_small_cell_takes_the_smallest_published_cell_with_it_so_the_total_gives_neither_away()
    {
        var table = await Build(new FakeAggregateSource().Add(Day, 30, 90, "demo", "FR").Add(Day, 12, 20, "demo", "IT").Add(Day, 9, 20, "demo", "DE"));

        Assert.That(table.Rows.Where(r => r.Type == RowType.Cell).Select(r => r.Dimensions[1]), Is.EqualTo(new[] { "FR" }), "IT, the smallest cell at or above k, is withheld with DE");
        var total = table.Rows.Single(r => r.Type == RowType.Total);
        Assert.That(total.Visitors, Is.EqualTo(51), "totals include withheld cells, so they stay true");
        Assert.That(total.Metrics, Is.EqualTo(new long?[] { 130 }));
        Assert.That(total.SmallCells, Is.EqualTo(1));
        Assert.That(total.WithheldCells, Is.EqualTo(2));
        Assert.That(table.DataRows, Is.EqualTo(1));
    }

    [Test]
    public async Task Two_cells_one_below_k_publish_only_their_total()
    {
        var table = await Build(new FakeAggregateSource().Add(Day, 10, 30, "demo", "FR").Add(Day, 9, 20, "demo", "DE"));

        Assert.That(table.DataRows, Is.Zero);
        var total = table.Rows.Single(r => r.Type == RowType.Total);
        Assert.That(total.Metrics, Is.EqualTo(new long?[] { 50 }));
        Assert.That(total.WithheldCells, Is.EqualTo(2));
    }

    [Test]
    public async Task Withheld_cells_whose_pageviews_add_up_to_zero_take_one_with_pageviews_with_them()
    {
        // DE and IT together: 0 pageviews under a total of 50 would tell that each had none.
        var table = await Build(new FakeAggregateSource().Add(Day, 30, 40, "demo", "FR").Add(Day, 20, 10, "demo", "ES").Add(Day, 9, 0, "demo", "DE").Add(Day, 4, 0, "demo", "IT"));

        Assert.That(table.Rows.Where(r => r.Type == RowType.Cell).Select(r => r.Dimensions[1]), Is.EqualTo(new[] { "FR" }));
    }

    [Test]
    public async Task A_cell_withheld_by_an_earlier_run_of_the_window_stays_withheld_after_it_grows_past_k()
    {
        var before = await Build(new FakeAggregateSource().Add(Day, 30, 90, "demo", "FR").Add(Day, 12, 20, "demo", "IT").Add(Day, 9, 20, "demo", "DE"));
        // Late hits lift DE to 10. Published now, IT (unchanged) would give DE's earlier 9 away: the earlier total minus FR and IT.
        var grown = new FakeAggregateSource().Add(Day, 30, 90, "demo", "FR").Add(Day, 12, 20, "demo", "IT").Add(Day, 10, 21, "demo", "DE");

        var fresh = await Build(grown);
        var rerun = await SmallCellSuppression.BuildAsync(grown, Query(), 10, SmallCellPolicy.Suppress, before.Withheld, CancellationToken.None);

        Assert.That(before.Withheld, Has.Count.EqualTo(2));
        Assert.That(fresh.DataRows, Is.EqualTo(3), "without the record every cell would be published");
        Assert.That(rerun.Rows.Where(r => r.Type == RowType.Cell).Select(r => r.Dimensions[1]), Is.EqualTo(new[] { "FR" }));
        Assert.That(rerun.Withheld, Is.SupersetOf(before.Withheld));
    }

    [Test]
    public async Task When_every_cell_is_small_only_the_total_is_published_and_it_too_is_withheld_below_k()
    {
        var enough = await Build(new FakeAggregateSource().Add(Day, 4, 5, "demo", "FR").Add(Day, 3, 3, "demo", "DE").Add(Day, 3, 9, "demo", "IT"));
        var tooFew = await Build(new FakeAggregateSource().Add(Day, 4, 5, "demo", "FR").Add(Day, 3, 3, "demo", "DE"));

        Assert.That(enough.Rows, Has.Count.EqualTo(1));
        Assert.That(enough.Rows[0].Type, Is.EqualTo(RowType.Total));
        Assert.That(enough.Rows[0].Visitors, Is.EqualTo(10));
        Assert.That(enough.Rows[0].Metrics, Is.EqualTo(new long?[] { 17 }));
        Assert.That(enough.Rows[0].WithheldCells, Is.EqualTo(3));

        Assert.That(tooFew.Rows, Has.Count.EqualTo(1));
        Assert.That(tooFew.Rows[0].Visitors, Is.Null, "a period of 7 visitors is itself a small cell");
        Assert.That(tooFew.Rows[0].Metrics, Is.EqualTo(new long?[] { null }));
        Assert.That(tooFew.Rows[0].WithheldCells, Is.EqualTo(2));
    }

    [Test]
    public async Task Small_cells_fold_into_an_other_row_when_together_they_reach_k()
    {
        var source = new FakeAggregateSource().Add(Day, 12, 40, "demo", "FR").Add(Day, 6, 7, "demo", "DE").Add(Day, 4, 4, "demo", "IT");

        var table = await Build(source, policy: SmallCellPolicy.FoldIntoOther);

        var other = table.Rows.Single(r => r.Type == RowType.Other);
        Assert.That(other.Dimensions, Is.EqualTo(new[] { "(other)", "(other)" }));
        Assert.That(other.Visitors, Is.EqualTo(10));
        Assert.That(other.Metrics, Is.EqualTo(new long?[] { 11 }));
        Assert.That(other.SmallCells, Is.EqualTo(2));
        var total = table.Rows.Single(r => r.Type == RowType.Total);
        Assert.That(total.Metrics[0], Is.EqualTo(table.Rows.Where(r => r.Type != RowType.Total).Sum(r => r.Metrics[0])), "cells and other add up to the total");
        Assert.That(total.WithheldCells, Is.Zero);
    }

    [Test]
    public async Task An_other_row_below_k_is_withheld_too()
    {
        var source = new FakeAggregateSource().Add(Day, 12, 40, "demo", "FR").Add(Day, 5, 7, "demo", "DE").Add(Day, 4, 4, "demo", "IT");

        var table = await Build(source, policy: SmallCellPolicy.FoldIntoOther);

        Assert.That(table.Rows.Any(r => r.Type == RowType.Other), Is.False);
        Assert.That(table.Rows.Single(r => r.Type == RowType.Total).WithheldCells, Is.EqualTo(2));
    }

    [Test]
    public async Task Each_period_gets_its_own_cells_and_total_and_an_empty_period_still_has_a_withheld_total()
    {
        var query = Query(Granularity.Day, Day.AddDays(2));
        var source = new FakeAggregateSource().Add(Day, 11, 12, "demo", "FR").Add(Day.AddDays(2), 20, 25, "demo", "FR");

        var table = await Build(source, query: query);

        Assert.That(table.Rows.Select(r => (r.PeriodStart, r.Type)), Is.EqualTo(new[]
        {
            (Day, RowType.Cell), (Day, RowType.Total),
            (Day.AddDays(1), RowType.Total),
            (Day.AddDays(2), RowType.Cell), (Day.AddDays(2), RowType.Total),
        }));
        Assert.That(table.Rows[2].Visitors, Is.Null);
    }

    [Test]
    public async Task No_published_row_ever_has_fewer_than_k_visitors_and_totals_hold_for_random_cells()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var k = random.Next(2, 20);
            var source = new FakeAggregateSource();
            var cells = random.Next(0, 30);
            for (var c = 0; c < cells; c++)
            {
                var visitors = random.Next(1, 3 * k);
                source.Add(Day, visitors, visitors + random.Next(0, 50), "demo", "C" + c);
            }
            foreach (var policy in Enum.GetValues<SmallCellPolicy>())
            {
                var table = await Build(source, k, policy);

                var published = table.Rows.Where(r => r.Type != RowType.Total).ToList();
                Assert.That(published.All(r => r.Visitors >= k), Is.True, $"k={k} {policy}");
                var total = table.Rows.Single(r => r.Type == RowType.Total);
                var allPageviews = source.Cells.Sum(c => c.Metrics[0]);
                var allVisitors = source.Cells.Sum(c => c.Visitors);
                Assert.That(total.Visitors, Is.EqualTo(allVisitors >= k ? allVisitors : null), $"k={k} {policy}");
                Assert.That(total.SmallCells, Is.EqualTo(source.Cells.Count(c => c.Visitors < k)));
                var shownPageviews = published.Sum(r => r.Metrics[0]) ?? 0;
                var hidden = source.Cells.Where(c => !published.Any(r => r.Type == RowType.Cell && r.Dimensions.SequenceEqual(c.Dimensions))).ToList();
                var folded = published.Any(r => r.Type == RowType.Other);
                Assert.That(shownPageviews + (folded ? 0 : hidden.Sum(c => c.Metrics[0])), Is.EqualTo(allPageviews), $"k={k} {policy}");
                Assert.That(table.Withheld, Has.Count.EqualTo(hidden.Count));
                Assert.That(hidden.Count == 1 && total.Visitors is not null, Is.False, $"a lone withheld cell is the total minus the rest: k={k} {policy}");
            }
        }
    }
}
