using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Sessions;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// Continues the visits an aggregator on Kafka finds open when partitions are assigned to it: stored by the aggregator
/// that read them before (killed, restarted, or rebalanced away), or by this one in an earlier assignment and grown
/// elsewhere since. Before the first batch read under a new assignment is tracked, the visits stored open
/// (<see cref="StoredVisits.OpenAsync"/>, as the embedded host takes back at start) go to the tracker, each replacing an
/// older copy it holds. Those of visitors on other aggregators' partitions are never continued here and age out with
/// the timeout. One caller at a time.
/// </summary>
internal sealed class HandedOverVisits(IClickHouse clickHouse, SessionTracker sessions)
{
    // The newest assignment whose visits were taken back (assignments are numbered from 1).
    private int _takenBack;

    /// <summary>Takes back the visits stored open, once per <paramref name="assignment"/>.</summary>
    public async Task TakeBackAsync(int assignment, CancellationToken cancellationToken)
    {
        if (assignment <= _takenBack)
        {
            return;
        }
        var stored = await StoredVisits.OpenAsync(clickHouse, sessions.InactivityTimeout, sessions.MaxVisits, cancellationToken);
        sessions.Resume(stored, newerThanHeld: true);
        _takenBack = assignment;
    }
}
