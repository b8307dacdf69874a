using System.Text.Json;

namespace Analytics.Analysts.Query;

/// <summary>A named, saved set of filter expressions of one site (as in a query's "filters").</summary>
public sealed record Segment
{
    public required string Id { get; init; }

    public required string Site { get; init; }

    public required string Name { get; init; }

    public required JsonElement Filters { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
