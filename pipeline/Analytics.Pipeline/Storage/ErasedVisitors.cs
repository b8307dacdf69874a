using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// Visitor IDs erased in the last 30 days, here or in another process (read from the erasure tombstones), so
/// hits still on their way when the visitor asked (queued, in a collector's spool through a long broker
/// outage, in Kafka, or in a batch being written) are never stored under an erased ID. Held as SHA-256 hashes, as the tombstones hold them. Bounded: past
/// <see cref="MaxEntries"/> the oldest are forgotten first. Each new erasure bumps <see cref="Version"/>,
/// so a writer can ask which of its visitors were erased after it prepared a batch.
/// </summary>
public sealed class ErasedVisitors
{
    public const int MaxEntries = 100_000;

    /// <summary>
    /// How long an erasure is remembered, here and in the tombstones (their TTL, schema 0010): as long as
    /// a hit can be held back and still be stored, the same window as <c>stored_hit_ids</c>.
    /// </summary>
    public static readonly TimeSpan Keep = TimeSpan.FromDays(30);

    private readonly Dictionary<UInt128, (long Version, long At)> _erased = [];
    private readonly Lock _lock = new();
    private long _version;
    private int _count;

    /// <summary>Erasures so far; compare with <see cref="ErasedSince"/>.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The tombstone of a visitor ID: SHA-256 of its 16 bytes.</summary>
    public static byte[] Tombstone(Guid visitorId) => SHA256.HashData(visitorId.ToByteArray());

    public void Add(Guid visitorId) => Add(Key(Tombstone(visitorId)));

    /// <summary>
    /// Adds tombstones read from storage (those already known change nothing) and forgets erasures older
    /// than <see cref="Keep"/>, so that when none is left the writer's per-hit check costs no hashing.
    /// </summary>
    public void AddTombstones(IEnumerable<byte[]> tombstones)
    {
        foreach (var tombstone in tombstones)
        {
            Add(Key(tombstone));
        }
        lock (_lock)
        {
            var now = Environment.TickCount64;
            foreach (var (key, _) in _erased.Where(e => now - e.Value.At > Keep.TotalMilliseconds).ToList())
            {
                _erased.Remove(key);
            }
            Volatile.Write(ref _count, _erased.Count);
        }
    }

    /// <summary>True when the visitor was erased within <see cref="Keep"/>.</summary>
    public bool Contains(Guid visitorId)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return false;
        }
        var key = Key(Tombstone(visitorId));
        lock (_lock)
        {
            return _erased.TryGetValue(key, out var entry) && Environment.TickCount64 - entry.At <= Keep.TotalMilliseconds;
        }
    }

    /// <summary>Those of <paramref name="visitorIds"/> erased after erasure number <paramref name="version"/>.</summary>
    public IReadOnlyList<Guid> ErasedSince(long version, IEnumerable<Guid> visitorIds)
    {
        if (Version == version)
        {
            return [];
        }
        var candidates = visitorIds.Distinct().Select(id => (Id: id, Key: Key(Tombstone(id)))).ToList();
        lock (_lock)
        {
            return candidates.Where(c => _erased.TryGetValue(c.Key, out var entry) && entry.Version > version).Select(c => c.Id).ToList();
        }
    }

    private void Add(UInt128 key)
    {
        lock (_lock)
        {
            if (_erased.ContainsKey(key))
            {
                return;
            }
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
            _erased[key] = (Interlocked.Increment(ref _version), now);
            Volatile.Write(ref _count, _erased.Count);
        }
    }

    // 128 of the hash's 256 bits tell erased IDs apart well enough.
    private static UInt128 Key(byte[] tombstone) => BinaryPrimitives.ReadUInt128LittleEndian(tombstone);
}
