namespace Analytics.Pipeline.Storage;

/// <summary>
/// Visitor IDs erased in the last hour, so hits still on their way when the visitor asked (queued, or in
/// a batch being written) are never stored under an erased ID. Bounded: past <see cref="MaxEntries"/>
/// the oldest are forgotten first. Each erasure bumps <see cref="Version"/>, so a writer can ask which
/// of its visitors were erased after it prepared a batch.
/// </summary>
public sealed class ErasedVisitors
{
    public const int MaxEntries = 100_000;
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);

    private readonly Dictionary<Guid, (long Version, long At)> _erased = [];
    private readonly Lock _lock = new();
    private long _version;

    /// <summary>Erasures so far; compare with <see cref="ErasedSince"/>.</summary>
    public long Version => Interlocked.Read(ref _version);

    public void Add(Guid visitorId)
    {
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (_erased.Count >= MaxEntries)
            {
                foreach (var (id, _) in _erased.Where(e => now - e.Value.At > Keep.TotalMilliseconds).ToList())
                {
                    _erased.Remove(id);
                }
                // Still full: forget the oldest, down to 90% so a burst of erasures does not sort on every one.
                foreach (var (id, _) in _erased.OrderBy(e => e.Value.At).Take(_erased.Count - (MaxEntries / 10 * 9)).ToList())
                {
                    _erased.Remove(id);
                }
            }
            _erased[visitorId] = (Interlocked.Increment(ref _version), now);
        }
    }

    /// <summary>True when the visitor was erased within the last hour.</summary>
    public bool Contains(Guid visitorId)
    {
        if (Version == 0)
        {
            return false;
        }
        lock (_lock)
        {
            return _erased.TryGetValue(visitorId, out var entry) && Environment.TickCount64 - entry.At <= Keep.TotalMilliseconds;
        }
    }

    /// <summary>Those of <paramref name="visitorIds"/> erased after erasure number <paramref name="version"/>.</summary>
    public IReadOnlyList<Guid> ErasedSince(long version, IEnumerable<Guid> visitorIds)
    {
        if (Version == version)
        {
            return [];
        }
        lock (_lock)
        {
            return visitorIds.Distinct().Where(id => _erased.TryGetValue(id, out var entry) && entry.Version > version).ToList();
        }
    }
}
