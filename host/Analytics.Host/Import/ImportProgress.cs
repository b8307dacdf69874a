namespace Analytics.Host.Import;

/// <summary>How far an import of one file has come: bytes of the file read (compressed bytes for .gz) and lines.</summary>
public readonly record struct ImportProgress(string File, long BytesRead, long TotalBytes, long Lines, long Imported)
{
    /// <summary>Lines this run has taken per second so far (lines skipped on resume not counted).</summary>
    public double LinesPerSecond { get; init; }
}
