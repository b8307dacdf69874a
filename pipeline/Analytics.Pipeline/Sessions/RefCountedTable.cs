using System.Runtime.InteropServices;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// Small integer ids for the values open visits hold (strings, groups of an entry hit's fields): each distinct value is stored
/// once and counted, and its id is reused once the last visit holding it lets go, so a tracker that runs for
/// months does not grow with every value it ever saw. Id 0 is the table's zero value (the empty string, the
/// empty group), never counted. Not thread-safe: the tracker uses it under its lock.
/// </summary>
internal sealed class RefCountedTable<T> where T : IEquatable<T>
{
    private readonly T _zero;
    // A Dictionary rather than a set of ids over _values: it stores each value twice (a reference, for
    // strings), but hashes strings with the runtime's fast non-randomized hash until collisions pile up.
    private readonly Dictionary<T, int> _index;
    private T[] _values;
    // Holders of each live id. A free id holds ~(the next free id), so the free list needs no array of its own.
    private int[] _counts;
    private int _end = 1;
    private int _free = -1;

    public RefCountedTable(T zero, int capacity = 16)
    {
        _zero = zero;
        _index = new Dictionary<T, int>(capacity);
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
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, value, out var exists);
        if (exists)
        {
            _counts[id]++;
            return id;
        }
        id = NewId();
        _values[id] = value;
        _counts[id] = 1;
        added = true;
        return id;
    }

    /// <summary>The id of <paramref name="value"/> if a holder has it (0 for the zero value), else -1; counts nothing.</summary>
    public int Find(T value) => value.Equals(_zero) ? 0 : _index.TryGetValue(value, out var id) ? id : -1;

    /// <summary>One more holder of a held id (or of id 0, which is not counted).</summary>
    public void Hold(int id)
    {
        if (id != 0)
        {
            _counts[id]++;
        }
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
        _index.Remove(_values[id]);
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
}
