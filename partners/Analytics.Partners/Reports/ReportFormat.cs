namespace Analytics.Partners.Reports;

public enum ReportFormat
{
    /// <summary>RFC 4180 CSV with a header line, UTF-8.</summary>
    Csv,

    /// <summary>One JSON object per line, UTF-8.</summary>
    JsonLines,

    /// <summary>Apache Parquet; the schema version is also in the file's key-value metadata.</summary>
    Parquet,
}
