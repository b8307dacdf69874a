namespace Analytics.Pipeline.Hits;

/// <summary>
/// One enriched hit as it leaves the collector: only derived, anonymous dimensions. There is no field
/// for an IP address, a raw user-agent or any personal identifier, and there must never be one
/// (privacy invariants 1 and 2). Strings are empty, never null, when unknown.
/// The collector's steps fill it in place (one allocation per hit); once handed to a sink it is not changed,
/// except <see cref="SessionId"/>, which the aggregator's session tracker sets when it places the hit in a visit.
/// Its properties are generated from <see cref="HitFields"/> (HitFields.g.cs).
/// </summary>
public sealed partial class Hit
{
    private static readonly IReadOnlyDictionary<string, string> EmptyProps = new Dictionary<string, string>();
}
