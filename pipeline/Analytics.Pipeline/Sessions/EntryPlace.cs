using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>Where an entry hit's visitor was and their language, as string ids, shared by many open visits.</summary>
internal readonly record struct EntryPlace(int Country, int Region, int City, int Language) : IEntryStrings
{
    /// <summary>The hit's, counting one holder of each of its strings.</summary>
    public static EntryPlace Acquire(Hit hit, RefCountedTable<string> strings) => new(
        strings.Acquire(hit.Country), strings.Acquire(hit.Region), strings.Acquire(hit.City), strings.Acquire(hit.Language));

    /// <summary>The hit's as ids of strings held already, counting nothing; <see cref="IsKnown"/> is false when one is not held.</summary>
    public static EntryPlace Find(Hit hit, RefCountedTable<string> strings) => new(strings.Find(hit.Country), strings.Find(hit.Region), strings.Find(hit.City), strings.Find(hit.Language));

    public bool IsKnown => Country >= 0 && Region >= 0 && City >= 0 && Language >= 0;

    /// <summary>Counts one more holder of each of its strings.</summary>
    public void Hold(RefCountedTable<string> strings)
    {
        strings.Hold(Country);
        strings.Hold(Region);
        strings.Hold(City);
        strings.Hold(Language);
    }

    public void Release(RefCountedTable<string> strings)
    {
        strings.Release(Country);
        strings.Release(Region);
        strings.Release(City);
        strings.Release(Language);
    }
}
