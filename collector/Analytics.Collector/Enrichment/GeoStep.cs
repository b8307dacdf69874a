using Analytics.Collector.Enrichment.Geo;
using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Enrichment;

/// <summary>Country, region and city of the client's address; the address itself goes no further.</summary>
public sealed class GeoStep(GeoLocator locator, ClientAddress clientAddress) : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        var location = locator.Locate(clientAddress.Resolve(hit.Http));
        var h = hit.Hit;
        h.Country = location.Country;
        h.Region = location.Region;
        h.City = location.City;
        return null;
    }
}
