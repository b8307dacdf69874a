using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Transport;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// Continues the visits a reader of a share of the hits (a Kafka partition) finds open when its turn begins: stored by the
/// aggregator that read the share before (killed, restarted, or rebalanced away), or by this one in an earlier turn and
/// grown elsewhere since. For one <see cref="SessionTracker.InactivityTimeout"/> of the hits' own time from the turn's
/// first hit, the first hit of each visitor looks up the visitor's newest stored visit, which the tracker takes if it is
/// newer than the one it holds. Later hits can only continue visits this turn stored. One caller at a time.
/// </summary>
internal sealed class HandedOverVisits(IClickHouse clickHouse, SessionTracker sessions)
{
    // Visitors per lookup: the list travels as one query parameter (~370 KB, under a server's 1 MiB URL limit). A
    // lookup's time is mostly its scan of recent visits: 10,000 took 54 ms where 1,000 took 23 (docs/distributed.md).
    private const int VisitorsPerLookup = 10_000;

    private readonly Dictionary<string, Turn> _turns = [];

    /// <summary>
    /// Takes back the stored visits of the visitors of <paramref name="hits"/> not looked up before in this turn. Returns
    /// whether the tracker now holds, for every one of them, the visit stored last (false when a hit lies past the turn's
    /// window, or the batch belongs to an earlier turn than one seen already).
    /// </summary>
    public async Task<bool> TakeBackAsync(ReaderTurn turn, IReadOnlyList<Hit> hits, CancellationToken cancellationToken)
    {
        if (hits.Count == 0)
        {
            return true;
        }
        var earliest = hits.Min(hit => hit.Timestamp);
        if (!_turns.TryGetValue(turn.Share, out var current) || current.Number < turn.Number)
        {
            current = new Turn(turn.Number, earliest + sessions.InactivityTimeout);
            _turns[turn.Share] = current;
        }
        if (current.Number != turn.Number || current.LookedUp is null)
        {
            return false;
        }
        if (earliest >= current.Ends)
        {
            // The turn's visitors can only continue visits it stored itself now.
            current.LookedUp = null;
            return false;
        }
        var inWindow = hits.Where(hit => hit.VisitorId != Guid.Empty && hit.Timestamp < current.Ends).ToList();
        var visitors = inWindow.Select(hit => hit.VisitorId).Where(visitor => !current.LookedUp.Contains(visitor)).Distinct().ToList();
        if (visitors.Count > 0)
        {
            var since = inWindow.Min(hit => hit.Timestamp) - sessions.InactivityTimeout;
            foreach (var chunk in visitors.Chunk(VisitorsPerLookup))
            {
                sessions.Resume(await StoredVisits.OfVisitorsAsync(clickHouse, chunk, since, cancellationToken), newerThanHeld: true);
            }
            // Only once all were read: a failed lookup is retried whole with the batch.
            current.LookedUp.UnionWith(visitors);
        }
        return inWindow.Count == hits.Count(hit => hit.VisitorId != Guid.Empty);
    }

    private sealed class Turn(int number, DateTime ends)
    {
        public int Number { get; } = number;

        /// <summary>When the visits open at the turn's start have all ended, in the hits' time.</summary>
        public DateTime Ends { get; } = ends;

        /// <summary>The visitors looked up in this turn; null once its window has passed.</summary>
        public HashSet<Guid>? LookedUp { get; set; } = [];
    }
}
