using System.Globalization;
using System.Text;
using Analytics.Partners.Reports;
using Analytics.Pipeline.Export;

namespace Analytics.Partners.Formats;

/// <summary>
/// CSV as in RFC 4180 (fields quoted when needed), UTF-8 without BOM, LF line ends, one header line.
/// Dimension values are made inert against CSV injection (<see cref="CsvCell"/>): paths, titles and
/// campaigns come from visitors' browsers, and partners open these files in spreadsheets.
/// JSON Lines and Parquet carry the values unchanged.
/// </summary>
public sealed class CsvReportWriter : IReportWriter
{
    public string Extension => ".csv";

    public string ContentType => "text/csv; charset=utf-8";

    public async Task WriteAsync(ReportTable table, Stream output, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        await using (writer)
        {
            await writer.WriteLineAsync(string.Join(',', ReportColumns.Names(table.Query).Select(Field)));
            var query = table.Query;
            foreach (var row in table.Rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fields = new List<string>
                {
                    ReportColumns.SchemaVersion.ToString(CultureInfo.InvariantCulture),
                    Field(query.PartnerId),
                    Field(query.ReportId),
                    ReportWindow.Format(row.PeriodStart),
                    ReportWindow.Format(row.PeriodEnd),
                    ReportColumns.Name(row.Type),
                };
                fields.AddRange(row.Dimensions.Select(CsvCell.Text));
                fields.Add(Number(row.Visitors));
                fields.AddRange(row.Metrics.Select(Number));
                fields.Add(Number(row.SmallCells));
                fields.Add(Number(row.WithheldCells));
                await writer.WriteLineAsync(string.Join(',', fields));
            }
        }
    }

    private static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
