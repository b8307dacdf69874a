namespace Analytics.Pipeline.Transport;

/// <summary>
/// A reader's turn at a share of the hits that holds every hit of its visitors (a Kafka partition, from its
/// assignment to its revocation). The visits open when the turn began may have been stored by another reader of the
/// share, or by this one before a restart, so the aggregator takes them back as their visitors come
/// (<see cref="Storage.HandedOverVisits"/>).
/// </summary>
/// <param name="Share">Names the share (topic and partition).</param>
/// <param name="Number">Which turn: a later turn of this process has a higher number.</param>
public sealed record ReaderTurn(string Share, int Number);
