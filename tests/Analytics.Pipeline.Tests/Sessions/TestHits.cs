using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Tests.Sessions;

/// <summary>Hits for session tests, at given times.</summary>
internal static class TestHits
{
    public static readonly DateTime Noon = new(2026, 11, 10, 12, 0, 0, DateTimeKind.Utc);

    public static Hit At(Guid visitor, DateTime timestamp, string path = "/", HitKind kind = HitKind.Pageview, bool isBot = false, string site = "s") =>
        new()
        {
            HitId = Guid.CreateVersion7(new DateTimeOffset(timestamp)),
            SiteId = site,
            Timestamp = timestamp,
            VisitorId = visitor,
            Kind = kind,
            Path = path,
            Hostname = "www.example.com",
            IsBot = isBot,
            Browser = isBot ? "Googlebot" : "Firefox",
            DeviceType = isBot ? "bot" : "desktop",
            Country = "DE",
        };
}
