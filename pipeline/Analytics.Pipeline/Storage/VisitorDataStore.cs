using Analytics.Pipeline.ClickHouse;

namespace Analytics.Pipeline.Storage;

/// <summary>What is stored under one visitor ID: exported to, and erased for, that visitor (privacy invariant 6).</summary>
public sealed class VisitorDataStore(IClickHouse clickHouse)
{
    /// <summary>The visitor's stored hits as JSON lines (no other visitor's data, no internal columns).</summary>
    public Task<byte[]> ExportAsync(Guid visitorId, CancellationToken cancellationToken) =>
        clickHouse.QueryAsync(
            $"SELECT * EXCEPT (visitor_id) FROM {clickHouse.Database}.hits WHERE visitor_id = {{visitor:UUID}} ORDER BY timestamp SETTINGS output_format_json_escape_forward_slashes = 0",
            "JSONEachRow",
            Parameters(visitorId),
            cancellationToken);

    /// <summary>Deletes every row keyed by the visitor ID. Rollups hold no IDs and are untouched.</summary>
    public Task EraseAsync(Guid visitorId, CancellationToken cancellationToken) =>
        clickHouse.ExecuteAsync(
            $"DELETE FROM {clickHouse.Database}.hits WHERE visitor_id = {{visitor:UUID}}",
            Parameters(visitorId),
            cancellationToken);

    private static Dictionary<string, string> Parameters(Guid visitorId)
    {
        if (visitorId == Guid.Empty)
        {
            throw new ArgumentException("The anonymous visitor ID keys no one's data.", nameof(visitorId));
        }
        return new Dictionary<string, string> { ["visitor"] = visitorId.ToString() };
    }
}
