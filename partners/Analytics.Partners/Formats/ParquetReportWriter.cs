using System.Globalization;
using Analytics.Partners.Reports;
using Parquet;
using Parquet.Schema;

namespace Analytics.Partners.Formats;

/// <summary>
/// Apache Parquet, one row group: strings as UTF-8, dates as DATE, counts as INT64 (nullable where a
/// number can be withheld). The key-value metadata carries analytics.schema_version and the report's names.
/// </summary>
public sealed class ParquetReportWriter : IReportWriter
{
    public string Extension => ".parquet";

    public string ContentType => "application/vnd.apache.parquet";

    public async Task WriteAsync(ReportTable table, Stream output, CancellationToken cancellationToken)
    {
        var query = table.Query;
        var rows = table.Rows;
        var schemaVersion = new DataField<int>("schema_version");
        var partner = new DataField<string>("partner");
        var report = new DataField<string>("report");
        var periodStart = new DataField<DateOnly>("period_start");
        var periodEnd = new DataField<DateOnly>("period_end");
        var rowType = new DataField<string>("row_type");
        var dimensions = query.Dimensions.Select(d => new DataField<string>(d)).ToList();
        var visitors = new DataField<long?>(ReportCatalog.Visitors);
        var metrics = query.Metrics.Select(m => new DataField<long?>(m)).ToList();
        var smallCells = new DataField<long>("small_cells");
        var withheldCells = new DataField<long>("withheld_cells");
        var schema = new ParquetSchema(
            [schemaVersion, partner, report, periodStart, periodEnd, rowType, .. dimensions, visitors, .. metrics, smallCells, withheldCells]);

        await using var writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: cancellationToken);
        writer.CustomMetadata = new Dictionary<string, string>
        {
            ["analytics.schema_version"] = ReportColumns.SchemaVersion.ToString(CultureInfo.InvariantCulture),
            ["analytics.partner"] = query.PartnerId,
            ["analytics.report"] = query.ReportId,
            ["analytics.window"] = query.Window.Name,
            ["analytics.k"] = table.K.ToString(CultureInfo.InvariantCulture),
            ["analytics.privacy"] = table.Privacy is null ? "k-suppression" : System.Text.Json.JsonSerializer.Serialize(table.Privacy, PartnersJsonContext.Default.DpParameters),
        };
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<int>(schemaVersion, rows.Select(_ => ReportColumns.SchemaVersion).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync(partner, rows.Select(_ => query.PartnerId).ToArray());
        await group.WriteAsync(report, rows.Select(_ => query.ReportId).ToArray());
        await group.WriteAsync<DateOnly>(periodStart, rows.Select(r => r.PeriodStart).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync<DateOnly>(periodEnd, rows.Select(r => r.PeriodEnd).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync(rowType, rows.Select(r => ReportColumns.Name(r.Type)).ToArray());
        for (var i = 0; i < dimensions.Count; i++)
        {
            await group.WriteAsync(dimensions[i], rows.Select(r => r.Dimensions[i]).ToArray());
        }
        await group.WriteAsync<long>(visitors, rows.Select(r => r.Visitors).ToArray(), cancellationToken: cancellationToken);
        for (var i = 0; i < metrics.Count; i++)
        {
            await group.WriteAsync<long>(metrics[i], rows.Select(r => r.Metrics[i]).ToArray(), cancellationToken: cancellationToken);
        }
        await group.WriteAsync<long>(smallCells, rows.Select(r => r.SmallCells).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync<long>(withheldCells, rows.Select(r => r.WithheldCells).ToArray(), cancellationToken: cancellationToken);
    }
}
