using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Sites;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// Writes each batch of hits into ClickHouse: the visits they open or extend (from the
/// <see cref="SessionTracker"/>), then the hits. The materialized views fill the rollups from both inserts. Each insert
/// carries the batch's deduplication token, so a replayed batch is stored once everywhere, and a batch
/// recorded in the batch ledger as stored is skipped whole. Hits whose ID was stored before (a resend,
/// however cut into batches) are dropped before visits are tracked (<see cref="HitDeduplicator"/>).
/// Preparing (tracking and encoding, in .NET) and writing (the engine's work) are separate steps so the
/// aggregator can prepare the next batch while the engine writes this one. Batches are prepared in the
/// order they are read, by one caller at a time.
/// </summary>
public sealed class HitStore(
    IClickHouse clickHouse, SessionTracker sessions, IOptions<RetentionOptions> retention, VisitorDataStore? visitors = null, ISiteSettings? sites = null)
{
    private readonly HitDeduplicator _deduplicator = new(clickHouse);
    // Whether the tracker took back the visits stored open (ResumeOpenVisitsAsync).
    private bool _resumed;

    // The newest assignment of a Kafka source's partitions whose visits were taken back (numbered from 1).
    private int _assignmentTakenBack;

    /// <summary>A store with default session and retention settings.</summary>
    public HitStore(IClickHouse clickHouse)
        : this(clickHouse, new SessionTracker(Options.Create(new SessionOptions())), Options.Create(new RetentionOptions()))
    {
    }

    /// <summary>Hits dropped since start because a copy with the same hit ID was stored already.</summary>
    public long DuplicatesDropped => _deduplicator.Dropped;

    /// <summary>
    /// Prepares and writes the batch. Not for retrying: a batch prepared again is tracked again, so retry
    /// a failed write with <see cref="WriteAsync(PreparedWrite, CancellationToken, Func{WriteStep, Task})"/>.
    /// </summary>
    public async Task WriteAsync(HitBatch batch, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(batch, cancellationToken) is { } write)
        {
            await WriteAsync(write, cancellationToken);
        }
    }

    /// <summary>Whether <see cref="ResumeOpenVisitsAsync"/> is wanted (<see cref="SessionOptions.ResumeOpenVisits"/>).</summary>
    public bool ResumesOpenVisits => sessions.ResumesOpenVisits;

    /// <summary>
    /// Gives the tracker the visits stored open (<see cref="StoredVisits"/>), so hits that continue them grow them
    /// instead of starting new ones: by the one aggregator of its hits before its first batch, and on Kafka before the
    /// first batch of each assignment of partitions (<see cref="HitBatch.Assignment"/>), whose visits may have been grown
    /// by the aggregator that read them before (killed, restarted, or rebalanced away). A stored visit newer than the
    /// tracker's copy replaces it; those of other aggregators' partitions are never continued here and age out with the
    /// timeout. Returns how many were taken back.
    /// </summary>
    public async Task<int> ResumeOpenVisitsAsync(CancellationToken cancellationToken)
    {
        var resumed = sessions.Resume(await StoredVisits.OpenAsync(clickHouse, sessions.InactivityTimeout, sessions.MaxVisits, cancellationToken), newerThanHeld: true);
        _resumed = true;
        return resumed;
    }

    /// <summary>
    /// Gives the tracker the site's visits stored with an end within the inactivity timeout before <paramref name="at"/>
    /// (<see cref="StoredVisits.EndedBeforeAsync"/>), so hits from then on that continue one grow it: an import of a log's
    /// lines after those an earlier run imported. A stored visit newer than the tracker's copy replaces it. Returns how
    /// many were taken back.
    /// </summary>
    public async Task<int> ResumeVisitsEndedBeforeAsync(string siteId, DateTime at, CancellationToken cancellationToken) =>
        sessions.Resume(await StoredVisits.EndedBeforeAsync(clickHouse, siteId, at, sessions.InactivityTimeout, sessions.MaxVisits, cancellationToken), newerThanHeld: true);

    /// <summary>
    /// Tracks the batch's visits and encodes its rows; null when there is nothing to write (an empty
    /// batch, or one the ledger says was stored before). The tracker then assumes the rows get written.
    /// </summary>
    public async Task<PreparedWrite?> PrepareAsync(HitBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return null;
        }
        var earlier = batch.DeduplicationToken is { } token ? await EarlierWriteAsync(token, cancellationToken) : null;
        if (earlier is { Stored: true })
        {
            // Stored before (the source replays after a restart or a rebalance). The engine would drop the
            // inserts as duplicates anyway; skipping keeps the tracker off visits it would then believe stored.
            return null;
        }
        IReadOnlyList<Hit> fresh;
        var begun = earlier is { WriteToken: not null };
        if (begun)
        {
            // Begun before and maybe stored in some tables only: the same rows under the same token, so each table
            // drops what it holds and takes what it lacks. Looked up by hit ID, the batch's own stored hits would go.
            fresh = Without(batch.Hits, earlier!.LeftOut);
            _deduplicator.Replay(batch, fresh);
        }
        else
        {
            // A hit stored before (sent again, in this batch or an earlier one) is dropped before its visit is tracked.
            fresh = await _deduplicator.FreshAsync(batch, batch.Hits, cancellationToken);
        }
        // Hits of a visitor who asked to be erased after they were sent are dropped here.
        var erasuresSeen = visitors?.Erased.Version ?? 0;
        var kept = erasuresSeen == 0 ? fresh : [.. fresh.Where(hit => hit.VisitorId == Guid.Empty || !visitors!.Erased.Contains(hit.VisitorId))];
        // The tracker holds the visits stored last for these hits' visitors once they are taken back: at start (the
        // embedded transports, by the aggregator), or here as partitions are assigned (Kafka).
        if (batch.Assignment is { } assignment && assignment > _assignmentTakenBack && sessions.ResumesOpenVisits)
        {
            await ResumeOpenVisitsAsync(cancellationToken);
            _assignmentTakenBack = assignment;
        }
        var resumed = _resumed;
        var visitsWritten = begun ? await BegunVisitsAsync(fresh, earlier!.VisitMarks, resumed, cancellationToken) : null;
        var visits = visitsWritten ?? sessions.Track(kept);
        // Each batch reads the sites as they are now, so a reloaded sites file applies to the next rows written.
        var settings = sites is null ? retention.Value : retention.Value.WithSiteDefaults(sites.All);
        // About 170 bytes per hit and per visit row in RowBinary; the writers grow if a batch needs more.
        var hits = new ArrayBufferWriter<byte>(batch.Count * 192);
        var visitRows = new ArrayBufferWriter<byte>(Math.Max(1, visits.Count * 192));
        // RowBinary: measured faster on chDB than JSONEachRow (benchmarks/README.md).
        HitRowBinaryEncoder.Encode(kept, hits, settings);
        SessionRowBinaryEncoder.Encode(visits, visitRows, settings);
        // A source that cannot replay gives no token; the write still needs one so its own retry is stored once.
        var writeToken = earlier?.WriteToken ?? batch.DeduplicationToken ?? "write/" + Guid.NewGuid().ToString("N");
        if (earlier?.WriteToken is null && fresh.Count != batch.Count)
        {
            // Fewer rows than the range holds: a token of their own.
            writeToken += "/fresh-" + FreshKey(fresh);
        }
        return new PreparedWrite(
            batch, writeToken, HitRowBinaryEncoder.Format, hits.WrittenMemory, visitRows.WrittenMemory, erasuresSeen, LeftOut(batch.Hits, fresh), earlier?.WriteToken is not null)
        {
            VisitMarks = VisitMark.Of(visits),
        };
    }

    /// <summary>
    /// Readies the tracker for a batch a killed process had begun writing. With the visits taken back, the
    /// batch's marks (<see cref="VisitMark"/>) tell which state those visits are in. None found: the visits insert did
    /// not land, and the batch is tracked on them as the killed process tracked it (null: track it). All found: it
    /// landed, the visits taken back hold the batch's hits, which are only placed in them, and the rows it wrote are
    /// returned to be inserted again under its token, for a view whose part the kill cut off (the table drops them).
    /// Otherwise (no visits taken back, a record from before the marks, only some parts landed, or a hit the visits
    /// taken back do not place) its visitors start new visits.
    /// </summary>
    private async Task<IReadOnlyList<SessionRow>?> BegunVisitsAsync(IReadOnlyList<Hit> fresh, IReadOnlyList<VisitMark> marks, bool resumed, CancellationToken cancellationToken)
    {
        var landed = resumed && marks.Count > 0 ? await LandedAsync(marks, cancellationToken) : -1;
        if (landed == marks.Count && sessions.Place(fresh) is { } states)
        {
            return await WrittenAsync(states, fresh, cancellationToken);
        }
        if (landed != 0)
        {
            sessions.ForgetVisitorsOf(fresh);
        }
        return null;
    }

    /// <summary>
    /// The rows a landed batch wrote: its new <paramref name="states"/> and, for each visit it continued (version 2 on),
    /// the row cancelling the state before, read back from `sessions`, or, where a merge has folded that row away with
    /// the row it cancelled, rebuilt from the visit's stored hits before the batch. Empty when one cannot be had either
    /// way: a view the kill cut off then keeps missing the batch's visits (the table has them).
    /// </summary>
    private async Task<IReadOnlyList<SessionRow>> WrittenAsync(IReadOnlyList<SessionRow> states, IReadOnlyList<Hit> batch, CancellationToken cancellationToken)
    {
        var continued = states.Where(row => row.Version > 1).ToList();
        var cancellations = (await StoredVisits.CancellationsAsync(clickHouse, [.. continued.Select(row => (row.SessionId, row.Version - 1, row.StartedAt))], cancellationToken)).ToList();
        if (cancellations.Count < continued.Count)
        {
            var read = cancellations.Select(row => row.SessionId).ToHashSet();
            cancellations.AddRange(await StoredVisits.StatesBeforeAsync(clickHouse, [.. continued.Where(row => !read.Contains(row.SessionId))], batch, cancellationToken));
        }
        return cancellations.Count == continued.Count ? [.. cancellations, .. states] : [];
    }

    /// <summary>How many of the <paramref name="marks"/> are stored in <c>sessions</c>.</summary>
    private async Task<int> LandedAsync(IReadOnlyList<VisitMark> marks, CancellationToken cancellationToken)
    {
        var landed = 0;
        foreach (var mark in marks)
        {
            var output = await clickHouse.QueryAsync(
                $"SELECT count() FROM {clickHouse.Database}.sessions WHERE site_id = {{site:String}} AND started_at = toDateTime64({{started:String}}, 3, 'UTC')" +
                " AND session_id = {session:UUID} AND version = {version:UInt32} AND sign = 1",
                "TabSeparatedRaw",
                new Dictionary<string, string>
                {
                    ["site"] = mark.SiteId,
                    ["started"] = mark.StartedAt,
                    ["session"] = mark.SessionId.ToString(),
                    ["version"] = mark.Version.ToString(CultureInfo.InvariantCulture),
                },
                cancellationToken);
            landed += Encoding.UTF8.GetString(output).Trim() == "0" ? 0 : 1;
        }
        return landed;
    }

    /// <summary>
    /// Inserts the prepared rows, then records the batch in the ledger. Safe to call again after a failure.
    /// <paramref name="afterStep"/> runs after the visits insert and after the hits insert (fault injection).
    /// </summary>
    public async Task WriteAsync(PreparedWrite write, CancellationToken cancellationToken, Func<WriteStep, Task>? afterStep = null)
    {
        var token = write.DeduplicationToken;
        if (write.Batch.DeduplicationToken is { } source && !write.Replayed)
        {
            // Before any insert: a replay of this batch must write these rows under this token (schema/0020).
            var record = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["token"] = source,
                ["write_token"] = token,
                ["left_out"] = write.LeftOut,
                ["visit_marks"] = write.VisitMarks,
            });
            await clickHouse.InsertAsync($"{clickHouse.Database}.batch_writes", "JSONEachRow", record, cancellationToken: cancellationToken);
        }
        // Visits first: a hit found in stored_hit_ids has its visit stored already, so a crash between
        // the two inserts never leaves a replay dropping hits whose visits were never written.
        if (!write.Sessions.IsEmpty)
        {
            await clickHouse.InsertAsync(
                $"{clickHouse.Database}.sessions ({SessionRowBinaryEncoder.Columns})",
                write.Format, write.Sessions, token + "/sessions", cancellationToken);
        }
        if (afterStep is not null)
        {
            await afterStep(WriteStep.Visits);
        }
        if (!write.Hits.IsEmpty)
        {
            await clickHouse.InsertAsync(
                $"{clickHouse.Database}.hits ({HitRowBinaryEncoder.Columns})",
                write.Format, write.Hits, token, cancellationToken);
        }
        if (afterStep is not null)
        {
            await afterStep(WriteStep.Hits);
        }
        // Only a source's own token can come back (a replay); a token made for one write never does.
        if (write.Batch.DeduplicationToken is { } batchToken)
        {
            await clickHouse.ExecuteAsync(
                $"INSERT INTO {clickHouse.Database}.batch_ledger (token) VALUES ({{token:String}})",
                new Dictionary<string, string> { ["token"] = batchToken },
                cancellationToken);
        }
        // A visitor erased while this batch was on its way, here or in another process: the erase may
        // have run before these rows landed, so it runs again now. An erase records its tombstone before
        // it deletes, so one that missed these rows is among the tombstones read now.
        if (visitors is not null)
        {
            await visitors.RefreshAsync(cancellationToken);
            foreach (var visitorId in visitors.Erased.ErasedSince(write.ErasuresSeen, write.Batch.Hits.Select(hit => hit.VisitorId)))
            {
                await visitors.EraseAsync(visitorId, cancellationToken);
            }
        }
    }

    private static string FreshKey(IReadOnlyList<Hit> fresh)
    {
        var hash = new XxHash3();
        Span<byte> id = stackalloc byte[16];
        foreach (var hit in fresh)
        {
            hit.HitId.TryWriteBytes(id);
            hash.Append(id);
        }
        return hash.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// What an earlier attempt at the batch <paramref name="token"/> left: stored whole (in the ledger), or begun (its
    /// write token and left-out positions), or nothing (null).
    /// </summary>
    private async Task<EarlierWrite?> EarlierWriteAsync(string token, CancellationToken cancellationToken)
    {
        // One query for both: a live batch pays one round trip for the lookup, as before batch_writes.
        var output = await clickHouse.QueryAsync(
            $"SELECT 'stored', '', '', '' FROM {clickHouse.Database}.batch_ledger WHERE token = {{token:String}} LIMIT 1 UNION ALL " +
            $"SELECT 'begun', write_token, arrayStringConcat(left_out, ','), toJSONString(visit_marks) FROM {clickHouse.Database}.batch_writes WHERE token = {{token:String}} LIMIT 1",
            "TabSeparatedRaw",
            new Dictionary<string, string> { ["token"] = token },
            cancellationToken);
        var rows = Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(row => row.Split('\t')).ToList();
        if (rows.Any(row => row[0] == "stored"))
        {
            return new EarlierWrite(true, null, [], []);
        }
        if (rows.FirstOrDefault() is not [_, var writeToken, var leftOut, var marks])
        {
            return null;
        }
        return new EarlierWrite(
            false,
            writeToken,
            leftOut.Length == 0 ? [] : [.. leftOut.Split(',').Select(p => uint.Parse(p, CultureInfo.InvariantCulture))],
            JsonSerializer.Deserialize<List<VisitMark>>(marks) ?? []);
    }

    private sealed record EarlierWrite(bool Stored, string? WriteToken, IReadOnlyList<uint> LeftOut, IReadOnlyList<VisitMark> VisitMarks);

    /// <summary>The positions in <paramref name="hits"/> of the hits <paramref name="kept"/> (an ordered subset of the same objects) lacks.</summary>
    private static List<uint> LeftOut(IReadOnlyList<Hit> hits, IReadOnlyList<Hit> kept)
    {
        var leftOut = new List<uint>(hits.Count - kept.Count);
        var next = 0;
        for (var i = 0; i < hits.Count; i++)
        {
            if (next < kept.Count && ReferenceEquals(hits[i], kept[next]))
            {
                next++;
            }
            else
            {
                leftOut.Add((uint)i);
            }
        }
        return leftOut;
    }

    private static List<Hit> Without(IReadOnlyList<Hit> hits, IReadOnlyList<uint> leftOut)
    {
        var skip = leftOut.ToHashSet();
        return [.. hits.Where((_, i) => !skip.Contains((uint)i))];
    }
}
