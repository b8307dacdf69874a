using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>An entry hit's browser, system and screen, as string ids, shared by many open visits.</summary>
internal readonly record struct EntryDevice(int Browser, int BrowserVersion, int Os, int OsVersion, int DeviceType, ushort ScreenWidth) : IEntryStrings
{
    /// <summary>The hit's, counting one holder of each of its strings.</summary>
    public static EntryDevice Acquire(Hit hit, RefCountedTable<string> strings) => new(
        strings.Acquire(hit.Browser), strings.Acquire(hit.BrowserVersion), strings.Acquire(hit.Os),
        strings.Acquire(hit.OsVersion), strings.Acquire(hit.DeviceType), hit.ScreenWidth);

    /// <summary>The hit's as ids of strings held already, counting nothing; <see cref="IsKnown"/> is false when one is not held.</summary>
    public static EntryDevice Find(Hit hit, RefCountedTable<string> strings) => new(strings.Find(hit.Browser), strings.Find(hit.BrowserVersion), strings.Find(hit.Os), strings.Find(hit.OsVersion), strings.Find(hit.DeviceType), hit.ScreenWidth);

    public bool IsKnown => Browser >= 0 && BrowserVersion >= 0 && Os >= 0 && OsVersion >= 0 && DeviceType >= 0;

    /// <summary>Counts one more holder of each of its strings.</summary>
    public void Hold(RefCountedTable<string> strings)
    {
        strings.Hold(Browser);
        strings.Hold(BrowserVersion);
        strings.Hold(Os);
        strings.Hold(OsVersion);
        strings.Hold(DeviceType);
    }

    public void Release(RefCountedTable<string> strings)
    {
        strings.Release(Browser);
        strings.Release(BrowserVersion);
        strings.Release(Os);
        strings.Release(OsVersion);
        strings.Release(DeviceType);
    }
}
