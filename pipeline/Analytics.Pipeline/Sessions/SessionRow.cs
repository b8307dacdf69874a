using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// One row of the sessions table: a state of a visit (<see cref="Sign"/> +1) or the cancellation of an
/// earlier state (-1). The visit's attributes (site, visitor, source, geo, device, entry page) are the
/// first hit's, read from <see cref="Entry"/>.
/// </summary>
public sealed record SessionRow
{
    public required Hit Entry { get; init; }

    /// <summary>The hit ID of the visit's first hit.</summary>
    public required Guid SessionId { get; init; }

    public required sbyte Sign { get; init; }

    public required uint Version { get; init; }

    public required DateTime StartedAt { get; init; }

    public required DateTime EndedAt { get; init; }

    public required string ExitPage { get; init; }

    public required uint Hits { get; init; }

    public required uint Pageviews { get; init; }

    public required uint Events { get; init; }

    public required uint LinkClicks { get; init; }

    /// <summary>Whole seconds from the first to the last hit.</summary>
    public uint Duration => (uint)Math.Max(0, (EndedAt - StartedAt).TotalSeconds);

    /// <summary>One pageview and no custom event (a link click that lands on one page still bounces).</summary>
    public bool IsBounce => Pageviews == 1 && Events == 0;
}
