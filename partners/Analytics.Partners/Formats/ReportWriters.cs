using Analytics.Partners.Reports;

namespace Analytics.Partners.Formats;

public static class ReportWriters
{
    public static IReportWriter For(ReportFormat format) => format switch
    {
        ReportFormat.Csv => new CsvReportWriter(),
        ReportFormat.JsonLines => new JsonLinesReportWriter(),
        ReportFormat.Parquet => new ParquetReportWriter(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The format of a stored file, from its extension.</summary>
    public static IReportWriter? ForExtension(string extension) =>
        Enum.GetValues<ReportFormat>().Select(For).FirstOrDefault(w => w.Extension == extension);
}
