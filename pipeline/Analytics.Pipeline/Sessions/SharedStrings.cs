using System.Collections.Concurrent;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// One instance per distinct value of the low-cardinality fields that open visits hold (browser, country,
/// site, source, ...). Every decoded hit carries fresh copies of these strings; an open visit keeps its entry
/// hit for up to the inactivity timeout, so without sharing, a tracker holding a million visits held tens of
/// millions of duplicate small strings (docs/capacity.md, "Memory of the embedded host"). Bounded: past <see cref="MaxValues"/>
/// distinct values a string is kept as it came.
/// </summary>
internal sealed class SharedStrings
{
    public const int MaxValues = 100_000;

    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);

    public int Count => _values.Count;

    public string Share(string value)
    {
        if (value.Length == 0)
        {
            return "";
        }
        if (_values.TryGetValue(value, out var shared))
        {
            return shared;
        }
        return _values.Count < MaxValues ? _values.GetOrAdd(value, value) : value;
    }
}
