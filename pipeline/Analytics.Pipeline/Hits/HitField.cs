namespace Analytics.Pipeline.Hits;

/// <summary>Which stored tables hold a column.</summary>
[Flags]
public enum FieldTables
{
    /// <summary>The raw hits table, one row per hit.</summary>
    Hits = 1,

    /// <summary>The sessions (visits) table, one row per visit state; a hit field there holds the visit's first hit's value.</summary>
    Sessions = 2,

    Both = Hits | Sessions,
}

/// <summary>Where a dimension's value lives for queries: on each hit, on the visit (from its first hit), or both.</summary>
public enum FieldLevel
{
    /// <summary>Differs from hit to hit within a visit (page, event name).</summary>
    Hit,

    /// <summary>Belongs to the visit as a whole (source, UTM, entry and exit page).</summary>
    Visit,

    /// <summary>Stored on every hit and the same for the whole visit (country, browser, device).</summary>
    Both,
}

/// <summary>What a column may reveal, for reviews and for what the visitor's own page lists.</summary>
public enum PrivacyClass
{
    /// <summary>The random visitor ID: keyed data, erased on request (privacy invariant 1).</summary>
    VisitorKey,

    /// <summary>Says nothing about a person: IDs of hits and visits, times, counters, bookkeeping.</summary>
    Technical,

    /// <summary>What the page sent or the site set: address (scrubbed), title, referrer, campaign tags, events, custom properties.</summary>
    PageContent,

    /// <summary>Derived at the collector from the request (IP, headers), which itself goes no further (privacy invariant 2).</summary>
    Derived,
}

/// <summary>How a query names a column, and where the dashboard shows it.</summary>
/// <param name="Name">The public dimension name in the stats API (also accepted as "event:NAME" / "visit:NAME").</param>
/// <param name="Level">Where its value lives (<see cref="FieldLevel"/>).</param>
/// <param name="Panel">The id of the dashboard panel listing it; null when the dashboard has no panel for it.</param>
/// <param name="PanelTitle">The panel's heading.</param>
/// <param name="Label">Its label in the panel's switcher and column header.</param>
public sealed record FieldDimension(string Name, FieldLevel Level, string? Panel = null, string? PanelTitle = null, string? Label = null);

/// <summary>
/// One column of the hits and sessions tables, declared once in <see cref="HitFields"/>; the hit's
/// properties, the message codec, the RowBinary encoders, the query dimensions and the dashboard's list
/// are derived from it (HitFields.g.cs, checked by HitFieldsCodeTests).
/// </summary>
/// <param name="Column">The ClickHouse column name.</param>
/// <param name="ClickHouseType">The column type exactly as <c>DESCRIBE TABLE</c> prints it.</param>
/// <param name="Tables">The tables holding the column.</param>
/// <param name="Privacy">What the column may reveal.</param>
public sealed record HitField(string Column, string ClickHouseType, FieldTables Tables, PrivacyClass Privacy)
{
    /// <summary>The <see cref="Hit"/> property carrying the value; null for a column computed when a row is written.</summary>
    public string? Property { get; init; }

    /// <summary>The property's documentation (its XML summary).</summary>
    public string Summary { get; init; } = "";

    /// <summary>The property is set when the hit is made (<c>required init</c>); otherwise the steps set it.</summary>
    public bool Required { get; init; }

    /// <summary>The property's .NET type when not the natural one of <see cref="ClickHouseType"/> (an enum).</summary>
    public string? ClrType { get; init; }

    /// <summary>
    /// Message version that first carried it as a string (1: the fixed list of version 1; 2 and later: the
    /// extension list, which old messages lack and decode as ""). 0: the fixed header (hand-written in HitCodec).
    /// <see cref="NotInMessages"/>: set by the aggregator after a hit is read, never carried from the collector.
    /// </summary>
    public int Message { get; init; } = 1;

    /// <summary>The <see cref="Message"/> of a property the aggregator fills (the hit's visit), so no message carries it.</summary>
    public const int NotInMessages = -1;

    /// <summary>C# for the hits row value when not <c>hit.Property</c> (variables: hit, retention).</summary>
    public string? HitsValue { get; init; }

    /// <summary>C# for the sessions row value when not <c>entry.Property</c> (variables: session, entry, retention).</summary>
    public string? SessionsValue { get; init; }

    /// <summary>The query dimension on this column, if any.</summary>
    public FieldDimension? Dimension { get; init; }

    /// <summary>The rollup tables with a column of this name (or, for rollup_visit_attributes_daily, an attribute).</summary>
    public IReadOnlyList<string> Rollups { get; init; } = [];

    /// <summary>How the visitor's own page (/me) names what this column keeps about them; null when another column's phrase covers it.</summary>
    public string? VisitorPhrase { get; init; }
}
