namespace Analytics.Collector.Enrichment;

/// <summary>
/// A bounded least-recently-used cache. Real traffic repeats a few thousand user-agents, so a hit is
/// the common case: it takes a short lock and allocates nothing. A miss computes outside the lock (two
/// threads may both compute the same key; the values are equal, so that is harmless).
/// </summary>
public sealed class LruCache<TKey, TValue>
    where TKey : notnull
{
    private readonly int _capacity;
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _map;
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();
    private readonly Lock _lock = new();

    public LruCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _map = new Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>>(capacity, comparer);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return node.Value.Value;
            }
        }
        var value = create(key);
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                return existing.Value.Value;
            }
            LinkedListNode<(TKey Key, TValue Value)> added;
            if (_map.Count >= _capacity)
            {
                // Reuse the evicted node: a full cache allocates nothing for its list.
                added = _order.Last!;
                _order.RemoveLast();
                _map.Remove(added.Value.Key);
                added.Value = (key, value);
            }
            else
            {
                added = new LinkedListNode<(TKey Key, TValue Value)>((key, value));
            }
            _order.AddFirst(added);
            _map[key] = added;
            return value;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _map.Clear();
            _order.Clear();
        }
    }
}
