using System.Text.Json;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Formats;

/// <summary>JSON lines: one object per row with the columns as keys, in column order; withheld numbers are null.</summary>
public sealed class JsonLinesReportWriter : IReportWriter
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public string Extension => ".jsonl";

    public string ContentType => "application/x-ndjson";

    public async Task WriteAsync(ReportTable table, Stream output, CancellationToken cancellationToken)
    {
        var query = table.Query;
        var names = ReportColumns.Names(query);
        var firstDimension = ReportColumns.Leading.Count;
        var firstMetric = firstDimension + query.Dimensions.Count + 1;
        using var buffer = new MemoryStream();
        foreach (var row in table.Rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber(names[0], ReportColumns.SchemaVersion);
                json.WriteString(names[1], query.PartnerId);
                json.WriteString(names[2], query.ReportId);
                json.WriteString(names[3], ReportWindow.Format(row.PeriodStart));
                json.WriteString(names[4], ReportWindow.Format(row.PeriodEnd));
                json.WriteString(names[5], ReportColumns.Name(row.Type));
                for (var i = 0; i < row.Dimensions.Count; i++)
                {
                    json.WriteString(names[firstDimension + i], row.Dimensions[i]);
                }
                Number(json, ReportCatalog.Visitors, row.Visitors);
                for (var i = 0; i < row.Metrics.Count; i++)
                {
                    Number(json, names[firstMetric + i], row.Metrics[i]);
                }
                json.WriteNumber(names[^2], row.SmallCells);
                json.WriteNumber(names[^1], row.WithheldCells);
                json.WriteEndObject();
            }
            buffer.Write(NewLine);
            await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        }
    }

    private static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
