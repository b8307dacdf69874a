using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Sessions;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// What is stored under one visitor ID: exported to, and erased for, that visitor (privacy invariant 6).
/// Raw hits and visits are keyed by the ID; rollups hold none, but their visitor states hold hashes of
/// IDs, which an erase rebuilds without the visitor (<see cref="ErasedVisitorStates"/>).
/// </summary>
public sealed class VisitorDataStore(IClickHouse clickHouse, SessionTracker? sessions, string cluster)
{
    private readonly ErasedVisitorStates _states = new(clickHouse, cluster);

    private const string JsonSettings = "SETTINGS output_format_json_escape_forward_slashes = 0";

    public VisitorDataStore(IClickHouse clickHouse) : this(clickHouse, null, "")
    {
    }

    public VisitorDataStore(IClickHouse clickHouse, SessionTracker sessions) : this(clickHouse, sessions, "")
    {
    }

    /// <summary>Recent erasures, for the <see cref="HitStore"/> of this process to keep erased IDs out.</summary>
    public ErasedVisitors Erased { get; } = new();

    /// <summary>How far back each later tombstone read reaches before the newest tombstone seen.</summary>
    internal static readonly TimeSpan TombstoneOverlap = TimeSpan.FromMinutes(10);

    private long _tombstonesReadTo;

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
    /// Deletes every row keyed by the visitor ID (hits and visits), rebuilds the rollups' visitor states
    /// of the sites and days those rows were on without the visitor, and drops the visitor's open visits
    /// from the session tracker of this process, so no later hit cancels or revives an erased visit. The
    /// erasure is recorded first, here and as a tombstone in storage, so no aggregator (this process's or
    /// another's, <see cref="RefreshAsync"/>) stores the visitor's hits still on their way, nor leaves
    /// those of a batch it was writing meanwhile (it erases them again after that write).
    /// </summary>
    public async Task EraseAsync(Guid visitorId, CancellationToken cancellationToken)
    {
        var parameters = Parameters(visitorId);
        Erased.Add(visitorId);
        sessions?.ForgetVisitor(visitorId);
        await WriteTombstoneAsync(visitorId, cancellationToken);
        // The days to rebuild are read while the visitor's rows still say which they are.
        var affected = await _states.DaysOfAsync(visitorId, cancellationToken);
        foreach (var table in (string[])["hits", "sessions"])
        {
            await clickHouse.ExecuteAsync($"DELETE FROM {Local(table)} WHERE visitor_id = {{visitor:UUID}}", parameters, cancellationToken);
        }
        await _states.RebuildAsync(affected, cancellationToken);
        // Again, now that every state is rebuilt: a visitor window whose build began before this is not read
        // (it may have merged the states before their rebuild; schema/0027).
        await WriteTombstoneAsync(visitorId, cancellationToken);
    }

    private Task WriteTombstoneAsync(Guid visitorId, CancellationToken cancellationToken) =>
        clickHouse.ExecuteAsync(
            $"INSERT INTO {clickHouse.Database}.erasures (visitor_hash) VALUES (unhex({{hash:String}}))",
            new Dictionary<string, string> { ["hash"] = Convert.ToHexString(ErasedVisitors.Tombstone(visitorId)) },
            cancellationToken);

    /// <summary>
    /// Learns the erasures recorded in the tombstones, wherever they were made: at the first call all of
    /// them (they live as long as a hit can be held back, <see cref="ErasedVisitors.Keep"/>), then those
    /// recorded since the newest one seen, less <see cref="TombstoneOverlap"/> for clocks and inserts that
    /// become visible late, so each batch reads a few rows rather than the whole table.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var seen = Interlocked.Read(ref _tombstonesReadTo);
        var since = seen > 0
            ? $"fromUnixTimestamp64Milli({seen - (long)TombstoneOverlap.TotalMilliseconds}, 'UTC')"
            : $"now64(3) - toIntervalSecond({(long)ErasedVisitors.Keep.TotalSeconds})";
        var text = Encoding.ASCII.GetString(await clickHouse.QueryAsync(
            $"SELECT hex(visitor_hash), toUnixTimestamp64Milli(erased_at) FROM {clickHouse.Database}.erasures WHERE erased_at >= {since}",
            "TabSeparated",
            cancellationToken: cancellationToken));
        var tombstones = new List<byte[]>();
        var newest = seen;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            tombstones.Add(Convert.FromHexString(fields[0]));
            newest = Math.Max(newest, long.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        Erased.AddTombstones(tombstones);
        // Nothing recorded yet: keep reading the whole lifetime (an empty table costs nothing).
        if (newest > seen)
        {
            Interlocked.Exchange(ref _tombstonesReadTo, newest);
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
