using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// The visits that may still be open, as the sessions table last stored them: each visit's newest state
/// (<see cref="SessionTracker.Resume"/>). A sessions column holding an entry hit's value is read back into the
/// hit property it was written from, as declared in <see cref="HitFields"/>, so a column added there comes back too.
/// </summary>
public static class StoredVisits
{
    // DateTime64(3) as the engine writes and reads it in text.
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss.fff";

    private const string Anonymous = "toUUID('00000000-0000-0000-0000-000000000000')";

    /// <summary>The sessions columns written from the entry hit, with the hit property each was written from.</summary>
    private static readonly (string Column, string Type, PropertyInfo Property)[] EntryColumns =
    [
        .. HitFields.In(FieldTables.Sessions)
            .Select(f => (f.Column, f.ClickHouseType, Value: f.SessionsValue ?? "entry." + f.Property))
            .Where(f => f.Value.StartsWith("entry.", StringComparison.Ordinal))
            .Select(f => (f.Column, f.ClickHouseType, typeof(Hit).GetProperty(f.Value["entry.".Length..])!)),
    ];

    /// <summary>
    /// The visit states an answer holds, as one array of the columns they are read back from (<see cref="Row"/>), in
    /// RowBinary: its length first, so an answer cut short, or a server's error text appended after it began to
    /// stream, is refused instead of read as fewer or more visits.
    /// </summary>
    private static readonly string States =
        $"groupArray(tuple({string.Join(", ", EntryColumns.Select(c => c.Column))}, session_id, version, started_at, ended_at, hits, pageviews, events, link_clicks, exit_page))";

    /// <summary>
    /// The newest stored state of every cookie visit that ended within <paramref name="timeout"/> of the newest
    /// visit's end, at most <paramref name="max"/> of them, the latest first. A visit that started more than a day
    /// before that is not read, and the newest end is looked for among the visits that started in the day before
    /// the newest start (read from the parts' own minimum and maximum), however long ago the last visit was.
    /// </summary>
    /// <remarks>
    /// Read without FINAL, which would merge every row of those days, all columns, before the end filter could
    /// drop the visits long over: on a busy day that is most of the day's visits, at each start and each Kafka
    /// partition assignment. A visit's end only grows, so its newest state and every row of it that matters lie
    /// within the end filter: the state to take back is the visit's highest version there, unless a row of that
    /// version cancels it (as FINAL drops a visit whose last state is cancelled). Duplicates of a state are read once.
    /// The states are ordered here, not by the engine: sorting the whole rows took 1.3 s of 1.5 for 98,000 states.
    /// </remarks>
    public static async Task<IReadOnlyList<SessionRow>> OpenAsync(IClickHouse clickHouse, TimeSpan timeout, int max, CancellationToken cancellationToken)
    {
        var db = clickHouse.Database;
        const string Recent = $"started_at >= since - INTERVAL 1 DAY AND ended_at >= since AND visitor_id != {Anonymous}";
        var output = await clickHouse.QueryAsync(
            $"""
            WITH (SELECT max(ended_at) FROM {db}.sessions WHERE started_at >= (SELECT max(started_at) FROM {db}.sessions) - INTERVAL 1 DAY)
                - INTERVAL {(long)timeout.TotalMilliseconds} MILLISECOND AS since
            SELECT {States}
            FROM {db}.sessions
            WHERE {Recent} AND sign = 1
                AND (session_id, version) IN (
                    SELECT session_id, newest FROM (
                        SELECT session_id, max(version) AS newest, max(ended_at) AS ended FROM {db}.sessions WHERE {Recent}
                        GROUP BY session_id
                        HAVING argMax(sign, (version, -sign)) = 1
                        ORDER BY ended DESC
                        LIMIT {max}))
            """,
            "RowBinary",
            cancellationToken: cancellationToken);
        return Rows(output, sign: 1);
    }

    /// <summary>
    /// The newest stored state of every cookie visit of <paramref name="siteId"/> that ended within <paramref name="timeout"/>
    /// before <paramref name="at"/> (and started at most a day before), at most <paramref name="max"/> of them, the latest
    /// first: the visits that hits from <paramref name="at"/> on may continue, as an import of a log's next lines reads them.
    /// </summary>
    public static async Task<IReadOnlyList<SessionRow>> EndedBeforeAsync(
        IClickHouse clickHouse, string siteId, DateTime at, TimeSpan timeout, int max, CancellationToken cancellationToken)
    {
        var output = await clickHouse.QueryAsync(
            $$"""
            WITH toDateTime64({at:String}, 3, 'UTC') AS until, until - INTERVAL {{(long)timeout.TotalMilliseconds}} MILLISECOND AS since
            SELECT {{States}}
            FROM (
                SELECT *
                FROM {{clickHouse.Database}}.sessions FINAL
                WHERE site_id = {site:String} AND started_at >= since - INTERVAL 1 DAY AND ended_at >= since AND ended_at <= until
                    AND visitor_id != {{Anonymous}} AND sign = 1
                ORDER BY ended_at DESC
                LIMIT {{max}})
            """,
            "RowBinary",
            new Dictionary<string, string> { ["site"] = siteId, ["at"] = at.ToString(TimeFormat, CultureInfo.InvariantCulture) },
            cancellationToken);
        return Rows(output, sign: 1);
    }

    /// <summary>
    /// The stored cancelling rows (sign -1) of these visit states, each as the batch that cancelled it wrote it; a
    /// state whose row a merge has folded away with the row it cancelled is missing from the answer.
    /// </summary>
    public static async Task<IReadOnlyList<SessionRow>> CancellationsAsync(
        IClickHouse clickHouse, IReadOnlyCollection<(Guid SessionId, uint Version, DateTime StartedAt)> states, CancellationToken cancellationToken)
    {
        if (states.Count == 0)
        {
            return [];
        }
        var output = await clickHouse.QueryAsync(
            $$"""
            SELECT {{States}}
            FROM {{clickHouse.Database}}.sessions
            WHERE sign = -1 AND started_at >= toDateTime64({since:String}, 3, 'UTC')
                AND concat(toString(session_id), ':', toString(version)) IN (SELECT arrayJoin(splitByChar(',', {states:String})))
            """,
            "RowBinary",
            new Dictionary<string, string>
            {
                ["since"] = states.Min(s => s.StartedAt).ToString(TimeFormat, CultureInfo.InvariantCulture),
                ["states"] = string.Join(',', states.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.SessionId}:{s.Version}"))),
            },
            cancellationToken);
        return Rows(output, sign: -1);
    }

    /// <summary>
    /// The states these visits were in before <paramref name="batch"/> grew them, rebuilt from their stored hits (the
    /// batch's own left out), each as the row cancelling it (sign -1, the version before): for a cancelling row a merge
    /// has folded away with the row it cancelled. A visit whose start the batch moved (a late entry) is left out of the
    /// answer, since its entry before is not in the hits' visit alone.
    /// </summary>
    public static async Task<IReadOnlyList<SessionRow>> StatesBeforeAsync(
        IClickHouse clickHouse, IReadOnlyCollection<SessionRow> states, IReadOnlyCollection<Hit> batch, CancellationToken cancellationToken)
    {
        if (states.Count == 0)
        {
            return [];
        }
        var output = await clickHouse.QueryAsync(
            $$"""
            SELECT session_id, hit_id, kind, timestamp, path
            FROM {{clickHouse.Database}}.hits
            WHERE timestamp >= toDateTime64({since:String}, 3, 'UTC')
                AND session_id IN (SELECT toUUID(arrayJoin(splitByChar(',', {sessions:String}))))
            """,
            "JSONEachRow",
            new Dictionary<string, string>
            {
                ["since"] = states.Min(s => s.StartedAt).ToString(TimeFormat, CultureInfo.InvariantCulture),
                ["sessions"] = string.Join(',', states.Select(s => s.SessionId)),
            },
            cancellationToken);
        var ofBatch = batch.Select(hit => hit.HitId).ToHashSet();
        var before = EachRow(output, row => (
                Session: row.GetProperty("session_id").GetGuid(), HitId: row.GetProperty("hit_id").GetGuid(), Kind: (HitKind)row.GetProperty("kind").GetByte(),
                Time: Time(row.GetProperty("timestamp")), Path: row.GetProperty("path").GetString()!))
            .Where(hit => !ofBatch.Contains(hit.HitId))
            .GroupBy(hit => hit.Session)
            .ToDictionary(visit => visit.Key, visit => visit.ToList());
        var rebuilt = new List<SessionRow>(states.Count);
        foreach (var state in states)
        {
            if (!before.TryGetValue(state.SessionId, out var hits))
            {
                continue;
            }
            // The tracker's order: time to the millisecond, then hit ID; the last such hit names the exit.
            hits.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.HitId.CompareTo(b.HitId));
            if (hits[0].Time != state.StartedAt)
            {
                continue;
            }
            rebuilt.Add(state with
            {
                Sign = -1,
                Version = state.Version - 1,
                EndedAt = hits[^1].Time,
                ExitPage = hits[^1].Path,
                Hits = (uint)hits.Count,
                Pageviews = (uint)hits.Count(h => h.Kind == HitKind.Pageview),
                Events = (uint)hits.Count(h => h.Kind == HitKind.Event),
                LinkClicks = (uint)hits.Count(h => h.Kind == HitKind.LinkClick),
            });
        }
        return rebuilt;
    }

    /// <summary>The states of an answer of <see cref="States"/>, each visit once, the latest end first.</summary>
    private static List<SessionRow> Rows(byte[] output, sbyte sign)
    {
        var reader = new RowBinaryReader(output, "Stored visit states");
        var count = reader.Count(minBytes: 1);
        var rows = new List<SessionRow>(count);
        for (var i = 0; i < count; i++)
        {
            rows.Add(Row(ref reader, sign));
        }
        if (!reader.AtEnd)
        {
            throw new ClickHouseException($"Stored visit states: {output.Length} bytes answered, more than the {count} states they begin with.");
        }
        return [.. rows.DistinctBy(row => (row.SessionId, row.Version)).OrderByDescending(row => row.EndedAt)];
    }

    /// <summary>Each row of JSONEachRow output, read by <paramref name="read"/>.</summary>
    private static List<T> EachRow<T>(byte[] output, Func<JsonElement, T> read)
    {
        var rows = new List<T>();
        var reader = new Utf8JsonReader(output, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            rows.Add(read(document.RootElement));
        }
        return rows;
    }

    private static SessionRow Row(ref RowBinaryReader row, sbyte sign)
    {
        var values = new object[EntryColumns.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Value(ref row, EntryColumns[i].Type);
        }
        // In the order of the columns in States.
        var (sessionId, version, startedAt, endedAt) = (row.Uuid(), row.UInt32(), row.DateTime64Milli(), row.DateTime64Milli());
        var (hits, pageviews, events, linkClicks, exitPage) = (row.UInt32(), row.UInt32(), row.UInt32(), row.UInt32(), row.String());
        var entry = new Hit { SiteId = "", Timestamp = startedAt, HitId = sessionId, VisitorId = Guid.Empty };
        for (var i = 0; i < values.Length; i++)
        {
            EntryColumns[i].Property.SetValue(entry, values[i]);
        }
        return new SessionRow
        {
            Entry = entry,
            SessionId = sessionId,
            Sign = sign,
            Version = version,
            StartedAt = startedAt,
            EndedAt = endedAt,
            ExitPage = exitPage,
            Hits = hits,
            Pageviews = pageviews,
            Events = events,
            LinkClicks = linkClicks,
        };
    }

    private static object Value(ref RowBinaryReader row, string type) => type switch
    {
        "String" or "LowCardinality(String)" => row.String(),
        "UUID" => row.Uuid(),
        "Bool" => row.Bool(),
        "UInt16" => row.UInt16(),
        _ => throw new NotSupportedException($"A sessions column of type {type} is not read back: add it here."),
    };

    private static DateTime Time(JsonElement value) =>
        DateTime.SpecifyKind(DateTime.ParseExact(value.GetString()!, TimeFormat, CultureInfo.InvariantCulture), DateTimeKind.Utc);
}
