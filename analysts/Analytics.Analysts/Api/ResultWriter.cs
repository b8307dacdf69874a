using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Analysts.Query;
using Analytics.Pipeline.Export;

namespace Analytics.Analysts.Api;

/// <summary>Writes a <see cref="QueryResult"/> as JSON (Plausible's v2 shape) or CSV.</summary>
public static class ResultWriter
{
    public static byte[] Json(QueryResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            var query = result.Query;
            json.WriteStartObject();
            json.WriteStartArray("results");
            foreach (var row in result.Rows)
            {
                json.WriteStartObject();
                WriteStrings(json, "dimensions", row.Dimensions);
                WriteNumbers(json, "metrics", row.Metrics, query.Metrics);
                if (row.Comparison is { } comparison)
                {
                    json.WriteStartObject("comparison");
                    WriteStrings(json, "dimensions", comparison.Dimensions);
                    WriteNumbers(json, "metrics", comparison.Metrics, query.Metrics);
                    json.WriteStartArray("change");
                    foreach (var change in comparison.Change)
                    {
                        if (change is { } c)
                        {
                            json.WriteNumberValue(c);
                        }
                        else
                        {
                            json.WriteNullValue();
                        }
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("meta");
            json.WriteNumber("total_rows", result.TotalRows);
            json.WriteString("time_zone", query.TimeZone.Id);
            WriteRange(json, "date_range", query.Range);
            if (result.ComparisonRange is { } compared)
            {
                WriteRange(json, "comparison_date_range", compared);
            }
            json.WriteEndObject();
            json.WriteStartObject("query");
            json.WriteString("site_id", query.SiteId);
            WriteStrings(json, "metrics", query.Metrics.Select(m => m.Name).ToList());
            WriteStrings(json, "dimensions", query.Dimensions.Select(d => d.Name).ToList());
            json.WriteNumber("limit", query.Limit);
            json.WriteNumber("offset", query.Offset);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>RFC 4180 CSV with a header row; comparison columns follow when a comparison was asked for.</summary>
    public static byte[] Csv(QueryResult result)
    {
        var query = result.Query;
        var csv = new StringBuilder();
        var header = query.Dimensions.Select(d => d.Name.Replace(':', '_')).Concat(query.Metrics.Select(m => m.Name)).ToList();
        if (result.ComparisonRange is not null)
        {
            header.AddRange(query.Metrics.Select(m => m.Name + "_comparison"));
            header.AddRange(query.Metrics.Select(m => m.Name + "_change"));
        }
        csv.AppendJoin(',', header).Append("\r\n");
        foreach (var row in result.Rows)
        {
            var cells = row.Dimensions.Select(Cell)
                .Concat(row.Metrics.Select(Number));
            if (row.Comparison is { } c)
            {
                cells = cells.Concat(c.Metrics.Select(Number)).Concat(c.Change.Select(x => x is { } v ? Number(v) : ""));
            }
            csv.AppendJoin(',', cells).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    /// <summary>Dimension values come from visitors' browsers: made inert against CSV injection (<see cref="CsvCell"/>).</summary>
    private static string Cell(string value) => CsvCell.Text(value);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static void WriteNumbers(Utf8JsonWriter json, string name, IReadOnlyList<double> values, IReadOnlyList<Metric> metrics)
    {
        json.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++)
        {
            if (metrics[i].IsInteger)
            {
                json.WriteNumberValue((long)Math.Round(values[i]));
            }
            else
            {
                json.WriteNumberValue(values[i]);
            }
        }
        json.WriteEndArray();
    }

    private static void WriteRange(Utf8JsonWriter json, string name, DateRange range)
    {
        json.WriteStartArray(name);
        json.WriteStringValue(range.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteStringValue(range.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteEndArray();
    }
}
