using System.Text.Json;

namespace Analytics.Analysts.Access;

/// <summary>
/// A stored key: its SHA-256 hash (never the key), the sites it may read, and for a shared dashboard
/// link the filter it is locked to. Keys are read-only, except that an admin key may define the site's
/// goals and segments (never hits or visits).
/// </summary>
public sealed record ApiKey
{
    /// <summary>Public handle for listing and revoking (the key's first characters).</summary>
    public required string Id { get; init; }

    /// <summary>Lower-case hex SHA-256 of the whole key.</summary>
    public required string Hash { get; init; }

    public required IReadOnlyList<string> Sites { get; init; }

    public string Name { get; init; } = "";

    /// <summary>"api" for a stats API key, "share" for a shared dashboard link, "admin" for a key that also manages goals and segments.</summary>
    public string Kind { get; init; } = ApiKeyKinds.Api;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>For a shared link: filter expressions every query of the link is combined with.</summary>
    public JsonElement? LockedFilters { get; init; }
}

public static class ApiKeyKinds
{
    public const string Api = "api";
    public const string Share = "share";

    /// <summary>A stats API key that may also manage the site's goals and segments.</summary>
    public const string Admin = "admin";
}
