namespace Analytics.Pipeline.Hits;

/// <summary>What a hit records. Stored as a number; never renumber.</summary>
public enum HitKind : byte
{
    Pageview = 1,
    Event = 2,
    LinkClick = 3,
}
