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
}
