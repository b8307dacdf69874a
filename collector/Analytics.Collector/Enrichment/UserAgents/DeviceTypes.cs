using System.Collections.Frozen;

namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>
/// The device type of a hit, from uap-core's answers and the user-agent. The rules, first that applies:
/// <list type="number">
/// <item><b>bot</b>: the hit is a bot (<see cref="Bots.BotDetector"/>).</item>
/// <item><b>other</b>: a TV, console, watch or e-reader: device family or OS says so (Apple TV, Smart TV,
/// PlayStation, Xbox, Nintendo, watchOS, tvOS, Tizen TVs, Kindle e-ink).</item>
/// <item><b>tablet</b>: device family or model names a tablet (iPad, Kindle Fire, Galaxy Tab, Nexus 7/9/10,
/// any "Tablet"), the user-agent says "Tablet", or Android without "Mobile" (Android tablets omit it, by
/// Google's own guidance).</item>
/// <item><b>mobile</b>: the user-agent says "Mobi" (MDN's advice), or the OS is a phone OS (iOS, Android,
/// Windows Phone, BlackBerry, KaiOS, Symbian, ...), or uap-core identified a phone (a brand that is not a desktop maker's computer).</item>
/// <item><b>desktop</b>: a desktop OS (Windows, Mac OS X, Linux distributions, Chrome OS, the BSDs).</item>
/// <item><b>other</b>: everything else, including unknown user-agents.</item>
/// </list>
/// </summary>
public static class DeviceTypes
{
    public const string Desktop = "desktop";
    public const string Mobile = "mobile";
    public const string Tablet = "tablet";
    public const string Bot = "bot";
    public const string Other = "other";

    private static readonly string[] OtherDeviceMarkers = ["AppleTV", "Apple TV", "Smart TV", "SmartTV", "PlayStation", "Xbox", "Nintendo", "Apple Watch", "Chromecast", "Roku"];

    private static readonly FrozenSet<string> OtherOs = FrozenSet.Create(StringComparer.Ordinal, "watchOS", "WatchOS", "tvOS", "ATV OS X", "Roku", "PlayStation", "Tizen TV", "webOS TV", "Chromecast", "FireHbbTV");

    private static readonly string[] TabletMarkers = ["iPad", "Tablet", "Kindle Fire", "Galaxy Tab", "Nexus 7", "Nexus 9", "Nexus 10", "Xoom", "PlayBook", "MediaPad", "Lenovo Tab"];

    private static readonly FrozenSet<string> MobileOs = FrozenSet.Create(StringComparer.Ordinal,
        "iOS", "Android", "Windows Phone", "Windows Mobile", "BlackBerry OS", "BlackBerry Tablet OS", "KaiOS", "Symbian OS", "Symbian^3", "Symbian^3 Anna", "Symbian^3 Belle", "Nokia Series 40", "Nokia Series 30 Plus", "Brew MP",
        "Series40", "Series 60", "Firefox OS", "Sailfish", "Tizen", "HarmonyOS", "Bada", "webOS", "MeeGo", "Maemo", "Ubuntu Touch");

    private static readonly FrozenSet<string> DesktopOs = FrozenSet.Create(StringComparer.Ordinal,
        "Windows", "Mac OS X", "Mac OS", "macOS", "Linux", "Ubuntu", "Debian", "Fedora", "Red Hat", "SUSE", "openSUSE", "Mint", "Arch Linux",
        "Gentoo", "Slackware", "CentOS", "Mandriva", "Kubuntu", "Xubuntu", "Chrome OS", "ChromeOS", "FreeBSD", "OpenBSD", "NetBSD", "Solaris", "SunOS");

    /// <summary>Device makers whose uap-core brand alone does not mean a phone (their computers are listed too).</summary>
    private static readonly FrozenSet<string> ComputerBrands = FrozenSet.Create(StringComparer.Ordinal, "Apple", "Generic", "Spider");

    public static string Classify(UapResult parsed, string userAgent, bool isBot)
    {
        if (isBot)
        {
            return Bot;
        }
        var device = parsed.Device;
        var os = parsed.Os.Family;
        if (ContainsAny(device.Family, OtherDeviceMarkers) || OtherOs.Contains(os) || device.Family == "Kindle")
        {
            return Other;
        }
        if (ContainsAny(device.Family, TabletMarkers) || ContainsAny(device.Model, TabletMarkers)
            || userAgent.Contains("Tablet", StringComparison.OrdinalIgnoreCase)
            || (os == "Android" && !userAgent.Contains("Mobile", StringComparison.Ordinal)))
        {
            return Tablet;
        }
        if (userAgent.Contains("Mobi", StringComparison.Ordinal) || MobileOs.Contains(os)
            || (device.Brand is { } brand && !ComputerBrands.Contains(brand)))
        {
            return Mobile;
        }
        if (DesktopOs.Contains(os) || os.StartsWith("Windows", StringComparison.Ordinal))
        {
            return Desktop;
        }
        return Other;
    }

    private static bool ContainsAny(string? value, string[] markers)
    {
        if (value is null)
        {
            return false;
        }
        foreach (var marker in markers)
        {
            if (value.Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
