using System.Text;
using Analytics.Partners.Configuration;
using Analytics.Partners.Formats;
using Analytics.Partners.Reports;
using Analytics.Partners.Rollups;

namespace Analytics.Partners.Tests.Rollups;

public class RollupAggregateSourceTests
{
    private static readonly DateOnly Day = new(2026, 11, 25); // a Wednesday

    private static ReportQuery Query(IReadOnlyList<string> dimensions, IReadOnlyList<string> metrics, ReportWindow? window = null,
        Granularity granularity = Granularity.Day, IReadOnlyDictionary<string, string>? filters = null) =>
        new("acme", "test", ["demo"], ["site", .. dimensions], metrics, filters ?? new Dictionary<string, string>(), granularity,
            window ?? new ReportWindow(Day, Day));

    [Test]
    public async Task Cells_have_distinct_visitors_and_summed_pageviews_and_totals_count_a_visitor_once()
    {
        var db = await Engine.NewDatabaseAsync();
        var data = new RollupData(db);
        var a = await data.VisitAsync(Day, "/a", 12, views: 2);
        await data.VisitAsync(Day, "/b", 3, same: a.Take(3).ToList());
        var source = new RollupAggregateSource(db);
        var query = Query(["path"], ["pageviews"]);

        var rows = await source.RowsAsync(query, CancellationToken.None);
        var totals = await source.TotalsAsync(query, null, CancellationToken.None);
        var onlyB = await source.TotalsAsync(query, rows.Where(r => r.Dimensions[1] == "/b").ToList(), CancellationToken.None);

        Assert.That(rows.Select(r => (r.Period, r.Dimensions[0], r.Dimensions[1], r.Visitors, r.Metrics[0])), Is.EqualTo(new[]
        {
            (Day, "demo", "/a", 12L, 24L),
            (Day, "demo", "/b", 3L, 3L),
        }));
        Assert.That(totals.Single().Visitors, Is.EqualTo(12), "the three visitors of /b are among the twelve of /a");
        Assert.That(totals.Single().Metrics, Is.EqualTo(new[] { 27L }));
        Assert.That(onlyB.Single().Visitors, Is.EqualTo(3));
    }

    [Test]
    public async Task A_week_counts_a_visitor_seen_on_two_days_once_and_filters_apply()
    {
        var db = await Engine.NewDatabaseAsync();
        var data = new RollupData(db);
        var ids = await data.VisitAsync(Day, "/", 10);
        await data.VisitAsync(Day.AddDays(1), "/", 10, same: ids);
        await data.VisitAsync(Day, "/", 7, channel: "social");
        var source = new RollupAggregateSource(db);
        var week = new ReportWindow(Day.AddDays(-2), Day.AddDays(4));
        var query = Query(["channel"], ["visits", "pageviews"], week, Granularity.Week, new Dictionary<string, string> { ["channel"] = "search" });

        var rows = await source.RowsAsync(query, CancellationToken.None);

        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That(rows[0].Period, Is.EqualTo(week.From));
        Assert.That(rows[0].Dimensions, Is.EqualTo(new[] { "demo", "search" }));
        Assert.That(rows[0].Visitors, Is.EqualTo(10));
        Assert.That(rows[0].Metrics, Is.EqualTo(new[] { 20L, 20L }));
    }

    [Test]
    public async Task Coarsened_to_country_a_large_country_is_published_and_a_small_one_withheld()
    {
        var db = await Engine.NewDatabaseAsync();
        var data = new RollupData(db);
        await data.VisitAsync(Day, "/", 6, city: "Paris");
        await data.VisitAsync(Day, "/", 5, city: "Lyon");
        await data.VisitAsync(Day, "/", 2, country: "DE", city: "Berlin");
        await data.VisitAsync(Day, "/", 3, country: "IT", city: "Rome");
        var partner = new PartnerOptions { Id = "acme", Coarsen = new Dictionary<string, string> { ["city"] = "country" } };
        var report = new ReportOptions { Id = "cities", Sites = ["demo"], Dimensions = ["city"], Metrics = ["visitors", "visits"] };
        var query = PartnerDirectory.QueryFor(partner, report, new ReportWindow(Day, Day));

        var table = await SmallCellSuppression.BuildAsync(new RollupAggregateSource(db), query, 10, SmallCellPolicy.Suppress, CancellationToken.None);

        Assert.That(query.Dimensions, Is.EqualTo(new[] { "site", "country" }));
        var cell = table.Rows.Single(r => r.Type == RowType.Cell);
        Assert.That((cell.Dimensions[1], cell.Visitors, cell.Metrics[0]), Is.EqualTo(("FR", (long?)11, (long?)11)));
        var total = table.Rows.Single(r => r.Type == RowType.Total);
        Assert.That((total.Visitors, total.WithheldCells), Is.EqualTo(((long?)16, 2L)), "DE alone withheld would be the total minus FR");
    }

    [Test]
    public async Task No_report_file_in_any_format_contains_a_visitor_id()
    {
        var db = await Engine.NewDatabaseAsync();
        var data = new RollupData(db);
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        foreach (var path in new[] { "/", "/a", "/b", "/c" })
        {
            await data.VisitAsync(Day, path, random.Next(1, 25), views: random.Next(1, 4), city: random.Next(2) == 0 ? "Paris" : "Lyon");
        }
        var source = new RollupAggregateSource(db);
        var queries = new[]
        {
            Query(["path"], ["pageviews", "bounces"]),
            Query(["country", "city"], ["visits", "pageviews"]),
            Query([], ["pageviews", "visits"]),
        };

        var files = new List<(string Name, byte[] Bytes)>();
        foreach (var query in queries)
        {
            foreach (var policy in Enum.GetValues<SmallCellPolicy>())
            {
                var table = await SmallCellSuppression.BuildAsync(source, query, 2, policy, CancellationToken.None);
                foreach (var format in Enum.GetValues<ReportFormat>())
                {
                    using var output = new MemoryStream();
                    await ReportWriters.For(format).WriteAsync(table, output, CancellationToken.None);
                    files.Add(($"{string.Join('+', query.Dimensions)} {policy} {format}", output.ToArray()));
                }
            }
        }

        Assert.That(data.VisitorIds, Is.Not.Empty);
        Assert.That(files.Sum(f => f.Bytes.Length), Is.GreaterThan(0));
        foreach (var (name, bytes) in files)
        {
            var text = Encoding.UTF8.GetString(bytes);
            foreach (var id in data.VisitorIds)
            {
                foreach (var form in new[] { id.ToString("D"), id.ToString("N") })
                {
                    Assert.That(text, Does.Not.Contain(form).IgnoreCase, name);
                }
                Assert.That(Contains(bytes, id.ToByteArray()) || Contains(bytes, id.ToByteArray(bigEndian: true)), Is.False, name);
            }
        }
    }

    [Test]
    public async Task ClickHouse_reads_the_parquet_file_back_with_the_same_rows_as_the_csv()
    {
        var db = await Engine.NewDatabaseAsync();
        var data = new RollupData(db);
        await data.VisitAsync(Day, "/a", 12, views: 2);
        await data.VisitAsync(Day, "/b", 3);
        await data.VisitAsync(Day, "/c", 4);
        await data.VisitAsync(Day, "/d", 4);
        var table = await SmallCellSuppression.BuildAsync(
            new RollupAggregateSource(db), Query(["path"], ["pageviews"]), 10, SmallCellPolicy.FoldIntoOther, CancellationToken.None);
        var parquet = Path.Combine(Path.GetTempPath(), "report-" + Guid.NewGuid().ToString("N") + ".parquet");
        try
        {
            await using (var file = File.Create(parquet))
            {
                await new ParquetReportWriter().WriteAsync(table, file, CancellationToken.None);
            }
            using var csv = new MemoryStream();
            await new CsvReportWriter().WriteAsync(table, csv, CancellationToken.None);

            var fromParquet = await db.QueryAsync(
                "SELECT * FROM file({path:String}, 'Parquet')", "CSVWithNames", new Dictionary<string, string> { ["path"] = parquet });

            // ClickHouse writes NULL as an empty CSV field too, and quotes strings: unquote before comparing.
            var lines = Encoding.UTF8.GetString(fromParquet).Replace("\"", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Is.EqualTo(Encoding.UTF8.GetString(csv.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            Assert.That(lines, Has.Length.EqualTo(4), "header, /a, (other) with the 11 visitors of /b, /c and /d, total");
        }
        finally
        {
            File.Delete(parquet);
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
