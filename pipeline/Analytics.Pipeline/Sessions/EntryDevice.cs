using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>An entry hit's browser, system and screen, as string ids, shared by many open visits.</summary>
internal readonly record struct EntryDevice(int Browser, int BrowserVersion, int Os, int OsVersion, int DeviceType, ushort ScreenWidth) : IEntryStrings
{
    /// <summary>The hit's, counting one holder of each of its strings.</summary>
    public static EntryDevice Acquire(Hit hit, RefCountedTable<string> strings) => new(
        strings.Acquire(hit.Browser), strings.Acquire(hit.BrowserVersion), strings.Acquire(hit.Os),
        strings.Acquire(hit.OsVersion), strings.Acquire(hit.DeviceType), hit.ScreenWidth);

    public void Release(RefCountedTable<string> strings)
    {
        strings.Release(Browser);
        strings.Release(BrowserVersion);
        strings.Release(Os);
        strings.Release(OsVersion);
        strings.Release(DeviceType);
    }
}
