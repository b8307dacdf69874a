using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Partners.Reports;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Partners.Privacy;

/// <summary>
/// Bounded contributions computed inside ClickHouse from the raw hits (the only table that knows which visitor
/// made each count; the rollups have already summed visitors together, so a visitor's share of a rollup cell
/// cannot be clamped). Per visitor and cell the counts are clamped; per visitor only the first cells in an order
/// fixed by a hash of the visitor and the cell are kept, so the choice depends on that visitor's data alone.
/// Only aggregates leave the query. Hits older than the raw retention are gone: a DP report of such a window is empty.
/// Every value travels as a bound parameter; only catalog names enter the SQL.
/// </summary>
public sealed class RawHitsContributionSource(Func<IClickHouse> clickHouse) : IContributionSource
{
    /// <summary>Metrics a DP report may have: counts of hits a visitor makes, each clampable per visitor.</summary>
    public static IReadOnlyDictionary<string, string> Metrics { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["hits"] = "count()",
        ["pageviews"] = "countIf(kind = 1)",
        ["events"] = "countIf(kind = 2)",
        ["link_clicks"] = "countIf(kind = 3)",
    };

    public async Task<IReadOnlyList<AggregateRow>> BoundedRowsAsync(
        ReportQuery query, int maxCellsPerVisitor, int maxContributionsPerVisitor, CancellationToken cancellationToken)
    {
        var engine = clickHouse();
        var period = query.Granularity switch
        {
            Granularity.Day => "toDate(timestamp)",
            Granularity.Week => "greatest(toMonday(toDate(timestamp)), {from:Date})",
            Granularity.Month => "greatest(toStartOfMonth(toDate(timestamp)), {from:Date})",
            _ => "{from:Date}",
        };
        var parameters = new Dictionary<string, string>
        {
            ["from"] = ReportWindow.Format(query.Window.From),
            ["to"] = ReportWindow.Format(query.Window.To),
            ["sites"] = "[" + string.Join(",", query.Sites.Select(SqlLiteral.Quote)) + "]",
            ["cells"] = maxCellsPerVisitor.ToString(CultureInfo.InvariantCulture),
            ["clamp"] = maxContributionsPerVisitor.ToString(CultureInfo.InvariantCulture),
        };
        var dimensions = query.Dimensions.Select(Column).ToList();
        var selectDimensions = query.Dimensions.Select(d => $"toString({(d == ReportCatalog.Site ? "site_id" : d)}) AS {Column(d)}");
        var where = new StringBuilder("site_id IN {sites:Array(String)} AND toDate(timestamp) BETWEEN {from:Date} AND {to:Date} AND NOT is_bot");
        var i = 0;
        foreach (var (dimension, value) in query.Filters.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var name = "f" + i++.ToString(CultureInfo.InvariantCulture);
            parameters[name] = value;
            where.Append(" AND ").Append(dimension).Append(" = {").Append(name).Append(":String}");
        }
        var keys = string.Join(", ", dimensions);
        const string cellsPerVisitor = "{cells:UInt64}";
        var aggregates = string.Join(", ", query.Metrics.Select(m => $"sum(least(m_{m}, {{clamp:UInt64}}))").Prepend("count()"));
        var sql = $"""
            SELECT toString(period), {keys}, {aggregates}
            FROM (
                SELECT {period} AS period, {string.Join(", ", selectDimensions)}, visitor_id
                    {string.Concat(query.Metrics.Select(m => $", {Metrics[m]} AS m_{m}"))}
                FROM {engine.Database}.hits
                WHERE {where}
                GROUP BY period, {keys}, visitor_id
                ORDER BY visitor_id, cityHash64(visitor_id, period, {keys})
                LIMIT {cellsPerVisitor} BY visitor_id
            )
            GROUP BY period, {keys}
            ORDER BY period, {keys}
            """;
        return Parse(await engine.QueryAsync(sql, "JSONCompactEachRow", parameters, cancellationToken), query.Dimensions.Count);
    }

    private static string Column(string dimension) => "d_" + dimension;

    private static List<AggregateRow> Parse(byte[] output, int dimensions)
    {
        var rows = new List<AggregateRow>();
        foreach (var line in Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var values = json.RootElement.EnumerateArray().ToList();
            var period = DateOnly.ParseExact(values[0].GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var names = values.Skip(1).Take(dimensions).Select(v => v.GetString() ?? "").ToList();
            var numbers = values.Skip(1 + dimensions).Select(Number).ToList();
            rows.Add(new AggregateRow(period, names, numbers[0], numbers.Skip(1).ToList()));
        }
        return rows;
    }

    private static long Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
}
