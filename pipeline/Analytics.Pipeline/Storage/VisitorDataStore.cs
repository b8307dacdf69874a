using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Sessions;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// What is stored under one visitor ID: exported to, and erased for, that visitor (privacy invariant 6).
/// Raw hits and visits are keyed by the ID; rollups hold none (their visitor counts are sketches of
/// hashes) and are left as they are.
/// </summary>
public sealed class VisitorDataStore(IClickHouse clickHouse, SessionTracker? sessions, string cluster)
{
    private const string JsonSettings = "SETTINGS output_format_json_escape_forward_slashes = 0";

    public VisitorDataStore(IClickHouse clickHouse) : this(clickHouse, null, "")
    {
    }

    public VisitorDataStore(IClickHouse clickHouse, SessionTracker sessions) : this(clickHouse, sessions, "")
    {
    }

    /// <summary>Recent erasures, for the <see cref="HitStore"/> of this process to keep erased IDs out.</summary>
    public ErasedVisitors Erased { get; } = new();

    /// <summary>The visitor's stored hits as JSON lines (no other visitor's data, no internal columns).</summary>
    public Task<byte[]> ExportAsync(Guid visitorId, CancellationToken cancellationToken) =>
        clickHouse.QueryAsync(
            $"SELECT * EXCEPT (visitor_id, retention_days) FROM {clickHouse.Database}.hits WHERE visitor_id = {{visitor:UUID}} ORDER BY timestamp {JsonSettings}",
            "JSONEachRow",
            Parameters(visitorId),
            cancellationToken);

    /// <summary>The visitor's visits as JSON lines, one per visit in its latest state.</summary>
    public Task<byte[]> ExportVisitsAsync(Guid visitorId, CancellationToken cancellationToken) =>
        clickHouse.QueryAsync(
            $"SELECT * EXCEPT (visitor_id, sign, version, retention_days) FROM {clickHouse.Database}.sessions FINAL WHERE visitor_id = {{visitor:UUID}} ORDER BY started_at {JsonSettings}",
            "JSONEachRow",
            Parameters(visitorId),
            cancellationToken);

    /// <summary>
    /// Deletes every row keyed by the visitor ID (hits and visits) and drops the visitor's open visits
    /// from the session tracker of this process, so no later hit cancels or revives an erased visit. The
    /// ID is remembered first, so this process's aggregator neither stores the visitor's hits still queued
    /// nor leaves those of a batch it was writing meanwhile (it erases them again after that write).
    /// </summary>
    public async Task EraseAsync(Guid visitorId, CancellationToken cancellationToken)
    {
        var parameters = Parameters(visitorId);
        Erased.Add(visitorId);
        sessions?.ForgetVisitor(visitorId);
        foreach (var table in (string[])["hits", "sessions"])
        {
            await clickHouse.ExecuteAsync($"DELETE FROM {Local(table)} WHERE visitor_id = {{visitor:UUID}}", parameters, cancellationToken);
        }
    }

    /// <summary>On a cluster rows are deleted where they are stored: the local tables, on every shard.</summary>
    private string Local(string table) => cluster.Length == 0
        ? $"{clickHouse.Database}.{table}"
        : $"{clickHouse.Database}.{table}{Schema.ClusterDdl.LocalSuffix} ON CLUSTER {cluster}";

    private static Dictionary<string, string> Parameters(Guid visitorId)
    {
        if (visitorId == Guid.Empty)
        {
            throw new ArgumentException("The anonymous visitor ID keys no one's data.", nameof(visitorId));
        }
        return new Dictionary<string, string> { ["visitor"] = visitorId.ToString() };
    }
}
