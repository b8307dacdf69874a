using Analytics.Collector.Pipeline;

namespace Analytics.Host.Import;

/// <summary>What an import did with each line of one file.</summary>
public sealed class ImportResult(string file)
{
    public string File { get; } = file;

    /// <summary>Lines read in this run (lines skipped on resume are not counted).</summary>
    public long Lines { get; set; }

    /// <summary>Lines already imported by an earlier, interrupted run, or by the finished import this file continues.</summary>
    public long ResumedAt { get; set; }

    public long BadLines { get; set; }

    /// <summary>Line numbers of the first bad lines (never their content: it holds IP addresses).</summary>
    public List<long> FirstBadLines { get; } = [];

    /// <summary>For a merge, the file of each of <see cref="FirstBadLines"/> (whose numbers are then that file's lines).</summary>
    public List<string> FirstBadLineFiles { get; } = [];

    public Dictionary<SkipReason, long> Skipped { get; } = [];

    /// <summary>Pageviews the collector's steps accepted and this run stored.</summary>
    public long Imported { get; set; }

    /// <summary>The first and last time of the pageviews this run read (not of lines a continued or resumed file had stored before).</summary>
    public DateTimeOffset? FirstPageview { get; set; }

    public DateTimeOffset? LastPageview { get; set; }

    /// <summary>
    /// Pageviews found stored already, by their hit ID, and not stored again: lines a crashed earlier run
    /// stored after its last checkpoint, read again by this run.
    /// </summary>
    public long AlreadyStored { get; set; }

    /// <summary>Pageviews the collector pipeline dropped, by its reason (unknown site, foreign host, ...).</summary>
    public Dictionary<DropReason, long> Dropped { get; } = [];

    /// <summary>The file as read before importing: fingerprint, lines, time range.</summary>
    public LogFile? Survey { get; set; }

    /// <summary>Set when the file began with the whole text of a file this store had finished for the site: only the lines after it were read.</summary>
    public FinishedImport? ContinuedFrom { get; set; }

    /// <summary>For a merge, the files that began with the whole text of a finished file: read from the line after it.</summary>
    public List<(string File, long AfterLine, FinishedImport Finished)> ContinuedMembers { get; set; } = [];

    /// <summary>Set when this store had already finished the same file for the site: nothing was imported.</summary>
    public FinishedImport? AlreadyImported { get; set; }

    /// <summary>Raw hits and visits are kept until this day (the raw retention, counted from the import).</summary>
    public DateOnly? RawKeptUntil { get; set; }

    /// <summary>The figures of the file's first day (rollups) are kept until this day; later days' a little longer.</summary>
    public DateOnly? RollupsKeptUntil { get; set; }

    /// <summary>From the first line read to the last one stored, this run (the survey before it not included).</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>True when the finished file was recorded in the ledger (it stored pageviews), so importing it again is a no-op.</summary>
    public bool Recorded { get; set; }

    /// <summary>False when the run was interrupted; the checkpoint lets the next run resume.</summary>
    public bool Completed { get; set; }
}
