using Analytics.Partners.Reports;

namespace Analytics.Partners.Formats;

/// <summary>Writes a report in one file format.</summary>
public interface IReportWriter
{
    string Extension { get; }

    string ContentType { get; }

    Task WriteAsync(ReportTable table, Stream output, CancellationToken cancellationToken);
}
