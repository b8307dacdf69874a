namespace Analytics.Host.Import;

/// <summary>One `analytics import` run.</summary>
public sealed record ImportOptions
{
    /// <summary>Registered site the history belongs to.</summary>
    public required string Site { get; init; }

    /// <summary>Host the logged paths were served from; default: the site's first host.</summary>
    public string? Host { get; init; }

    /// <summary>https or http, for the page URLs built from logged paths.</summary>
    public string Scheme { get; init; } = "https";

    /// <summary>Checkpoint file per log file; default: the log's path + ".import-checkpoint".</summary>
    public Func<string, string> CheckpointPath { get; init; } = file => file + ".import-checkpoint";

    /// <summary>Import the file even if this store already finished it for the site (its pageviews then count twice).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Lines per batch: the pageviews among them are stored together (one insert per table), then the
    /// checkpoint moves past them. Larger batches cost the engine fewer inserts and merges.
    /// </summary>
    public int CheckpointEvery { get; init; } = 200_000;
}
