namespace Analytics.Collector.Enrichment.Geo;

/// <summary>Where an address is: ISO 3166-1 country, ISO 3166-2 region ("US-CA"), English city name; "" when unknown.</summary>
public sealed record GeoLocation(string Country, string Region, string City)
{
    public static GeoLocation Unknown { get; } = new("", "", "");
}
