namespace Analytics.Pipeline.Sessions;

/// <summary>
/// Small integer ids for the values open visits hold (strings, groups of an entry hit's fields): each distinct value is stored
/// once and counted, and its id is reused once the last visit holding it lets go, so a tracker that runs for
/// months does not grow with every value it ever saw. Id 0 is the table's zero value (the empty string, the
/// empty group), never counted. Not thread-safe: the tracker uses it under its lock.
/// </summary>
internal sealed class RefCountedTable<T> where T : IEquatable<T>
{
    // The index holds ids, not values, so a value is stored once (in _values); a lookup puts the value it
    // looks for in _probe and asks for the id Probe.
    private const int Probe = -1;

    private readonly T _zero;
    private readonly HashSet<int> _index;
    private T[] _values;
    // Holders of each live id. A free id holds ~(the next free id), so the free list needs no array of its own.
    private int[] _counts;
    private int _end = 1;
    private int _free = -1;
    private T _probe = default!;

    public RefCountedTable(T zero, int capacity = 16)
    {
        _zero = zero;
        _index = new HashSet<int>(new IdComparer(this));
        _values = new T[Math.Max(capacity, 2)];
        _counts = new int[_values.Length];
        _values[0] = zero;
    }

    /// <summary>Distinct values held (the zero value not included).</summary>
    public int Count => _index.Count;

    /// <summary>The value of a held id.</summary>
    public T this[int id] => _values[id];

    /// <summary>How many holders the id has (0 for id 0 and for a free id).</summary>
    public int HoldersOf(int id) => id == 0 ? 0 : Math.Max(_counts[id], 0);

    /// <summary>The id of <paramref name="value"/>, counting one more holder.</summary>
    public int Acquire(T value) => Acquire(value, out _);

    /// <summary>The id of <paramref name="value"/>, counting one more holder; <paramref name="added"/> when it is new.</summary>
    public int Acquire(T value, out bool added)
    {
        added = false;
        if (value.Equals(_zero))
        {
            return 0;
        }
        _probe = value;
        var found = _index.TryGetValue(Probe, out var id);
        _probe = default!;
        if (found)
        {
            _counts[id]++;
            return id;
        }
        id = NewId();
        _values[id] = value;
        _counts[id] = 1;
        _index.Add(id);
        added = true;
        return id;
    }

    /// <summary>The id of <paramref name="value"/> if a holder has it (0 for the zero value), else -1; counts nothing.</summary>
    public int Find(T value)
    {
        if (value.Equals(_zero))
        {
            return 0;
        }
        _probe = value;
        var found = _index.TryGetValue(Probe, out var id);
        _probe = default!;
        return found ? id : -1;
    }

    /// <summary>One holder fewer; true when that was the last one (the id is then free and its value let go).</summary>
    public bool Release(int id)
    {
        if (id == 0)
        {
            return false;
        }
        if (--_counts[id] > 0)
        {
            return false;
        }
        _index.Remove(id);
        _values[id] = default!;
        _counts[id] = ~_free;
        _free = id;
        return true;
    }

    private int NewId()
    {
        if (_free >= 0)
        {
            var id = _free;
            _free = ~_counts[id];
            return id;
        }
        if (_end == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
            Array.Resize(ref _counts, _values.Length);
        }
        return _end++;
    }

    private T ValueOf(int id) => id == Probe ? _probe : _values[id];

    private sealed class IdComparer(RefCountedTable<T> table) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => x == y || table.ValueOf(x).Equals(table.ValueOf(y));

        public int GetHashCode(int id) => table.ValueOf(id).GetHashCode();
    }
}
