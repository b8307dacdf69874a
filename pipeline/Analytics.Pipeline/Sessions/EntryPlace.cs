using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>Where an entry hit's visitor was and their language, as string ids, shared by many open visits.</summary>
internal readonly record struct EntryPlace(int Country, int Region, int City, int Language) : IEntryStrings
{
    /// <summary>The hit's, counting one holder of each of its strings.</summary>
    public static EntryPlace Acquire(Hit hit, RefCountedTable<string> strings) => new(
        strings.Acquire(hit.Country), strings.Acquire(hit.Region), strings.Acquire(hit.City), strings.Acquire(hit.Language));

    public void Release(RefCountedTable<string> strings)
    {
        strings.Release(Country);
        strings.Release(Region);
        strings.Release(City);
        strings.Release(Language);
    }
}
