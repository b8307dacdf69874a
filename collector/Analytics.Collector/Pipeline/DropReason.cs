namespace Analytics.Collector.Pipeline;

/// <summary>Why a beacon was answered but its hit not stored. Each reason is a counter on /metrics.</summary>
public enum DropReason
{
    MissingSite,
    UnknownSite,
    MissingUrl,
    InvalidUrl,
    ForeignHost,
    TooLong,
    InvalidEncoding,
    ConsentDeclined,
    RateLimited,
    Overloaded,

    /// <summary>A site in strict-origin mode got a hit with neither an Origin nor a Referer header.</summary>
    MissingOrigin,

    /// <summary>A POST /e body that is not a JSON hit or batch of at most MaxBatch hits, or not text/plain or JSON (one per request).</summary>
    InvalidBody,

    /// <summary>The transport could not make the hit durable: its spool's disk is full or failing (the write's error is logged).</summary>
    WriteFailed,
}
