using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Partners.Reports;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Schema;

namespace Analytics.Partners.Rollups;

/// <summary>
/// Report numbers from the rollup tables (never from hits or sessions, which hold visitor IDs): distinct
/// visitors merged from the rollups' sketches (exact at the small counts k is about), other measures summed.
/// Every value travels as a bound parameter; only catalog names (never configuration text) enter the SQL.
/// </summary>
public sealed class RollupAggregateSource(IClickHouse clickHouse) : IAggregateSource
{
    public async Task<IReadOnlyList<AggregateRow>> RowsAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var (inner, parameters) = Inner(query);
        var dimensions = query.Dimensions.Select(Column).ToList();
        var sql = $"""
            SELECT toString(period), {string.Join(", ", dimensions.Select(d => $"toString({d})"))}, {Aggregates(query)}
            FROM ({inner})
            GROUP BY period, {string.Join(", ", dimensions)}
            ORDER BY period, {string.Join(", ", dimensions)}
            """;
        return Parse(await clickHouse.QueryAsync(sql, "JSONCompactEachRow", parameters, cancellationToken), query.Dimensions.Count);
    }

    public async Task<IReadOnlyList<AggregateRow>> TotalsAsync(ReportQuery query, IReadOnlyList<AggregateRow>? onlyCells, CancellationToken cancellationToken)
    {
        var (inner, parameters) = Inner(query);
        var where = "";
        if (onlyCells is not null)
        {
            var tupleType = "Tuple(Date" + string.Concat(query.Dimensions.Select(_ => ", String")) + ")";
            parameters["cells"] = CellsParameter(onlyCells);
            where = $"WHERE has({{cells:Array({tupleType})}}, tuple(period, {string.Join(", ", query.Dimensions.Select(d => $"toString({Column(d)})"))}))";
        }
        var sql = $"""
            SELECT toString(period), {Aggregates(query)}
            FROM ({inner})
            {where}
            GROUP BY period
            ORDER BY period
            """;
        return Parse(await clickHouse.QueryAsync(sql, "JSONCompactEachRow", parameters, cancellationToken), 0);
    }

    /// <summary>The rollup's rows in the window, with their period; not yet aggregated (rollup rows are not final until merged).</summary>
    private (string Sql, Dictionary<string, string> Parameters) Inner(ReportQuery query)
    {
        var rollup = ReportCatalog.RollupFor(query.Dimensions.Concat(query.Filters.Keys), query.Metrics)
            ?? throw new InvalidOperationException($"No rollup holds the dimensions and metrics of report {query.PartnerId}/{query.ReportId}.");
        var day = rollup.DayExpression;
        var period = query.Granularity switch
        {
            Granularity.Day => day,
            Granularity.Week => $"greatest(toMonday({day}), {{from:Date}})",
            Granularity.Month => $"greatest(toStartOfMonth({day}), {{from:Date}})",
            _ => "{from:Date}",
        };
        var parameters = new Dictionary<string, string>
        {
            ["from"] = ReportWindow.Format(query.Window.From),
            ["to"] = ReportWindow.Format(query.Window.To),
            ["sites"] = "[" + string.Join(",", query.Sites.Select(SqlLiteral.Quote)) + "]",
        };
        var sql = new StringBuilder()
            .Append("SELECT ").Append(period).Append(" AS period, ")
            .AppendJoin(", ", query.Dimensions.Where(d => d != ReportCatalog.Site).Select(d => d + " AS " + Column(d)).Prepend("site_id AS " + Column(ReportCatalog.Site)))
            .Append(", ").Append(VisitorSketch.Column).Append(" AS m_visitors, ").Append(VisitorSketch.OldColumn).Append(" AS m_visitors_old")
            .Append(string.Concat(query.Metrics.Select(m => $", {m} AS m_{m}")))
            .Append(" FROM ").Append(clickHouse.Database).Append('.').Append(rollup.Table)
            .Append(" WHERE site_id IN {sites:Array(String)} AND ").Append(day).Append(" BETWEEN {from:Date} AND {to:Date}");
        var i = 0;
        foreach (var (dimension, value) in query.Filters.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var name = "f" + i++.ToString(CultureInfo.InvariantCulture);
            parameters[name] = value;
            sql.Append(" AND ").Append(dimension).Append(" = {").Append(name).Append(":String}");
        }
        return (sql.ToString(), parameters);
    }

    private static string Aggregates(ReportQuery query) =>
        VisitorSketch.MergeOf("m_visitors", "m_visitors_old") + string.Concat(query.Metrics.Select(m => $", sum(m_{m})"));

    /// <summary>Catalog names become columns prefixed d_, so none can clash with a rollup column or a keyword.</summary>
    private static string Column(string dimension) => "d_" + dimension;

    private static string CellsParameter(IReadOnlyList<AggregateRow> cells)
    {
        var value = new StringBuilder("[");
        for (var c = 0; c < cells.Count; c++)
        {
            value.Append(c == 0 ? "(" : ",(").Append(SqlLiteral.Quote(ReportWindow.Format(cells[c].Period)));
            foreach (var dimension in cells[c].Dimensions)
            {
                value.Append(',').Append(SqlLiteral.Quote(dimension));
            }
            value.Append(')');
        }
        return value.Append(']').ToString();
    }

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

    /// <summary>64-bit integers may come quoted (output_format_json_quote_64bit_integers).</summary>
    private static long Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
}
