using System.Runtime.InteropServices;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// The open visits, keyed by (site id, visitor ID, bot): slots of <see cref="OpenVisit"/> in fixed-size chunks
/// (growing adds a chunk, it never copies the visits or leaves a doubled array behind) and a bucket array of
/// slot numbers, chained through <see cref="OpenVisit.Next"/>. A visit costs its slot and about one bucket.
/// Slots are reused through a free list. Not thread-safe: the tracker uses it under its lock.
/// </summary>
internal sealed class OpenVisitTable
{
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    private OpenVisit[][] _chunks = [];
    // Slot + 1 of each bucket's first visit; 0 is an empty bucket.
    private int[] _buckets = new int[16];
    private int _end;
    private int _free = -1;

    /// <summary>Visits held.</summary>
    public int Count { get; private set; }

    /// <summary>Slots below this are used or free: iterate them and skip those without <see cref="OpenVisitFlags.Used"/>.</summary>
    public int End => _end;

    /// <summary>The visit in <paramref name="slot"/>. A reference stays valid while slots are added (chunks never move).</summary>
    public ref OpenVisit this[int slot] => ref _chunks[slot >> ChunkBits][slot & (ChunkSize - 1)];

    /// <summary>The slot of the visit with this key, or -1.</summary>
    public int Find(int siteId, Guid visitorId, bool isBot)
    {
        for (var slot = _buckets[Bucket(siteId, visitorId, isBot)] - 1; slot >= 0;)
        {
            ref var visit = ref this[slot];
            if (visit.VisitorId == visitorId && visit.SiteId == siteId && visit.IsBot == isBot)
            {
                return slot;
            }
            slot = visit.Next;
        }
        return -1;
    }

    /// <summary>A slot for a visit with this key (not held yet): key fields set, the rest zero.</summary>
    public int Add(int siteId, Guid visitorId, bool isBot)
    {
        if (Count >= _buckets.Length)
        {
            Rehash(_buckets.Length * 2);
        }
        var slot = NewSlot();
        ref var visit = ref this[slot];
        visit = default;
        visit.SiteId = siteId;
        visit.VisitorId = visitorId;
        visit.Flags = OpenVisitFlags.Used | (isBot ? OpenVisitFlags.Bot : OpenVisitFlags.None);
        ref var bucket = ref _buckets[Bucket(siteId, visitorId, isBot)];
        visit.Next = bucket - 1;
        bucket = slot + 1;
        Count++;
        return slot;
    }

    /// <summary>Lets the slot go (the caller has released what the visit held).</summary>
    public void Remove(int slot)
    {
        ref var visit = ref this[slot];
        var bucket = Bucket(visit.SiteId, visit.VisitorId, visit.IsBot);
        var previous = -1;
        for (var current = _buckets[bucket] - 1; current != slot; current = this[current].Next)
        {
            previous = current;
        }
        if (previous < 0)
        {
            _buckets[bucket] = visit.Next + 1;
        }
        else
        {
            this[previous].Next = visit.Next;
        }
        visit = default;
        visit.Next = _free;
        _free = slot;
        Count--;
    }

    private int NewSlot()
    {
        if (_free >= 0)
        {
            var slot = _free;
            _free = this[slot].Next;
            return slot;
        }
        if (_end == _chunks.Length * ChunkSize)
        {
            Array.Resize(ref _chunks, _chunks.Length + 1);
            _chunks[^1] = new OpenVisit[ChunkSize];
        }
        return _end++;
    }

    private void Rehash(int size)
    {
        _buckets = new int[size];
        for (var slot = 0; slot < _end; slot++)
        {
            ref var visit = ref this[slot];
            if (!visit.Has(OpenVisitFlags.Used))
            {
                continue;
            }
            ref var bucket = ref _buckets[Bucket(visit.SiteId, visit.VisitorId, visit.IsBot)];
            visit.Next = bucket - 1;
            bucket = slot + 1;
        }
    }

    // Visitor IDs come from cookies: hashed with the process's random seed, so crafted IDs cannot pile into one bucket.
    private int Bucket(int siteId, Guid visitorId, bool isBot)
    {
        var hash = new HashCode();
        hash.AddBytes(MemoryMarshal.AsBytes(new ReadOnlySpan<Guid>(in visitorId)));
        hash.Add(siteId);
        hash.Add(isBot);
        return hash.ToHashCode() & (_buckets.Length - 1);
    }
}
