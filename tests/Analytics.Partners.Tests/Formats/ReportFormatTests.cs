using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Partners.Formats;
using Analytics.Partners.Reports;
using Parquet;
using Parquet.Schema;

namespace Analytics.Partners.Tests.Formats;

/// <summary>Each format is written, read back with an independent reader, and compared cell by cell.</summary>
public class ReportFormatTests
{
    private static readonly DateOnly Day = new(2026, 11, 28);

    private static readonly string[] ExpectedColumns =
    [
        "schema_version", "partner", "report", "period_start", "period_end", "row_type",
        "site", "path", "visitors", "pageviews", "bounces", "small_cells", "withheld_cells",
    ];

    /// <summary>A table with awkward strings, an other row and a withheld total.</summary>
    private static ReportTable Table()
    {
        var query = new ReportQuery("acme", "pages", ["demo"], ["site", "path"], ["pageviews", "bounces"],
            new Dictionary<string, string>(), Granularity.Day, new ReportWindow(Day, Day.AddDays(1)));
        return new ReportTable(query, 10,
        [
            new ReportRow(Day, Day, RowType.Cell, ["demo", "/a,b \"quoted\"\nnext line"], 25, [40, 3], 0, 0),
            new ReportRow(Day, Day, RowType.Cell, ["demo", "/ünïcødé/页面"], 10, [12, 0], 0, 0),
            new ReportRow(Day, Day, RowType.Other, ["(other)", "(other)"], 11, [14, 2], 3, 0),
            new ReportRow(Day, Day, RowType.Total, ["", ""], 44, [66, 5], 3, 0),
            new ReportRow(Day.AddDays(1), Day.AddDays(1), RowType.Total, ["", ""], null, [null, null], 1, 1),
        ]);
    }

    /// <summary>The table as the strings every format must read back as (null for a withheld number).</summary>
    private static List<string?[]> Expected(ReportTable table) => table.Rows.Select(r => new string?[]
    {
        "1", "acme", "pages", ReportWindow.Format(r.PeriodStart), ReportWindow.Format(r.PeriodEnd), ReportColumns.Name(r.Type),
        r.Dimensions[0], r.Dimensions[1], Text(r.Visitors), Text(r.Metrics[0]), Text(r.Metrics[1]), Text(r.SmallCells), Text(r.WithheldCells),
    }).ToList();

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static async Task<byte[]> Write(IReportWriter writer, ReportTable table)
    {
        using var output = new MemoryStream();
        await writer.WriteAsync(table, output, CancellationToken.None);
        return output.ToArray();
    }

    [Test]
    public async Task Csv_reads_back_with_its_header_and_every_value()
    {
        var table = Table();
        var records = ParseCsv(Encoding.UTF8.GetString(await Write(new CsvReportWriter(), table)));

        Assert.That(records[0], Is.EqualTo(ExpectedColumns));
        var rows = records.Skip(1).Select(r => r.Select(v => v.Length == 0 ? null : v).ToArray()).ToList();
        // An empty CSV field is an empty string for text columns and a withheld number for numeric ones.
        var expected = Expected(table).Select(r => r.Select((v, i) => i is 6 or 7 && v == "" ? null : v).ToArray()).ToList();
        Assert.That(rows, Is.EqualTo(expected));
    }

    [Test]
    public async Task Csv_defuses_dimension_values_a_spreadsheet_would_run_as_formulas()
    {
        var query = new ReportQuery("acme", "pages", ["demo"], ["site", "path"], ["pageviews"],
            new Dictionary<string, string>(), Granularity.Day, new ReportWindow(Day, Day));
        string[] formulas = ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)", "/plain"];
        var table = new ReportTable(query, 10, [.. formulas.Select(path => new ReportRow(Day, Day, RowType.Cell, ["demo", path], 20, [30], 0, 0))]);

        var records = ParseCsv(Encoding.UTF8.GetString(await Write(new CsvReportWriter(), table)));

        Assert.That(records.Skip(1).Select(r => r[7]), Is.EqualTo(new[] { "'=HYPERLINK(\"http://evil.example\")", "'+1+1", "'-2+3", "'@SUM(A1)", "/plain" }));
    }

    [Test]
    public async Task Csv_defuses_formulas_behind_spaces_full_width_signs_and_a_semicolon_separator()
    {
        var query = new ReportQuery("acme", "pages", ["demo"], ["site", "path"], ["pageviews"],
            new Dictionary<string, string>(), Granularity.Day, new ReportWindow(Day, Day));
        // Issue 15, finding 9: a leading space, the full-width equals sign, and a semicolon (the separator
        // where the decimal mark is a comma) each let a spreadsheet run the rest as a formula.
        string[] values = [" =1+1", "\uFF1DHYPERLINK(\"http://evil.example\")", "/a;=1+1", "\tx", "/b\tc"];
        var table = new ReportTable(query, 10, [.. values.Select(path => new ReportRow(Day, Day, RowType.Cell, ["demo", path], 20, [30], 0, 0))]);

        var text = Encoding.UTF8.GetString(await Write(new CsvReportWriter(), table));
        var records = ParseCsv(text);

        Assert.That(records.Skip(1).Select(r => r[7]), Is.EqualTo(new[] { "' =1+1", "'\uFF1DHYPERLINK(\"http://evil.example\")", "/a;=1+1", "'\tx", "/b\tc" }));
        Assert.That(text, Does.Contain(",\"/a;=1+1\",").And.Contain(",\"/b\tc\","), "cells holding a separator are quoted");
    }

    [Test]
    public async Task Json_lines_read_back_with_the_columns_in_order_and_nulls_for_withheld_numbers()
    {
        var table = Table();
        var lines = Encoding.UTF8.GetString(await Write(new JsonLinesReportWriter(), table)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var rows = new List<string?[]>();
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var properties = json.RootElement.EnumerateObject().ToList();
            Assert.That(properties.Select(p => p.Name), Is.EqualTo(ExpectedColumns));
            rows.Add(properties.Select(p => p.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number => p.Value.GetInt64().ToString(CultureInfo.InvariantCulture),
                _ => p.Value.GetString(),
            }).ToArray());
        }
        Assert.That(rows, Is.EqualTo(Expected(table)));
    }

    [Test]
    public async Task Parquet_reads_back_with_its_schema_version_in_the_metadata_and_every_value()
    {
        var table = Table();
        using var file = new MemoryStream(await Write(new ParquetReportWriter(), table));

        await using var reader = await ParquetReader.CreateAsync(file);
        Assert.That(reader.CustomMetadata["analytics.schema_version"], Is.EqualTo("1"));
        Assert.That(reader.CustomMetadata["analytics.window"], Is.EqualTo("2026-11-28_2026-11-29"));
        var fields = reader.Schema.GetDataFields();
        Assert.That(fields.Select(f => f.Name), Is.EqualTo(ExpectedColumns));
        using var group = reader.OpenRowGroupReader(0);
        var count = (int)group.RowCount;
        var columns = new List<string?[]>();
        foreach (var field in fields)
        {
            columns.Add(await ReadColumn(group, field, count));
        }
        var rows = Enumerable.Range(0, count).Select(i => columns.Select(c => c[i]).ToArray()).ToList();
        Assert.That(rows, Is.EqualTo(Expected(table)));
    }

    private static async Task<string?[]> ReadColumn(ParquetRowGroupReader group, DataField field, int count)
    {
        if (field.Name is "partner" or "report" or "row_type" or "site" or "path")
        {
            var values = new string?[count];
            await group.ReadAsync(field, values.AsMemory());
            return values;
        }
        if (field.Name is "period_start" or "period_end")
        {
            // Stored as the DATE logical type; this reader hands DATE columns out as DateTime.
            var dates = new DateTime[count];
            await group.ReadAsync<DateTime>(field, dates.AsMemory());
            return dates.Select(d => (string?)ReportWindow.Format(DateOnly.FromDateTime(d))).ToArray();
        }
        if (field.Name == "schema_version")
        {
            var ints = new int[count];
            await group.ReadAsync<int>(field, ints.AsMemory());
            return ints.Select(v => (string?)v.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        if (field.Name is "visitors" or "pageviews" or "bounces")
        {
            var nullable = new long?[count];
            await group.ReadAsync<long>(field, nullable.AsMemory());
            return nullable.Select(Text).ToArray();
        }
        var longs = new long[count];
        await group.ReadAsync<long>(field, longs.AsMemory());
        return longs.Select(v => (string?)v.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>A strict RFC 4180 reader, written apart from the writer so it can catch its mistakes.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        Assert.That(field.Length + fields.Count, Is.Zero, "the file ends with a line end");
        return records;
    }
}
