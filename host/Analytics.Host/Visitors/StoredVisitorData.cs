using Analytics.Collector.Visitors;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Storage;

namespace Analytics.Host.Visitors;

/// <summary>The visitor's own data in ClickHouse, for the collector's self-service pages.</summary>
public sealed class StoredVisitorData(VisitorDataStore store) : IVisitorData
{
    public async Task<(byte[] Hits, byte[] Visits)> ExportAsync(Guid visitorId, CancellationToken cancellationToken)
    {
        try
        {
            return (await store.ExportAsync(visitorId, cancellationToken), await store.ExportVisitsAsync(visitorId, cancellationToken));
        }
        catch (ClickHouseException e)
        {
            throw new VisitorDataUnavailableException("Storage did not answer the export.", e);
        }
    }

    public async Task EraseAsync(Guid visitorId, CancellationToken cancellationToken)
    {
        try
        {
            await store.EraseAsync(visitorId, cancellationToken);
        }
        catch (ClickHouseException e)
        {
            throw new VisitorDataUnavailableException("Storage did not answer the erasure.", e);
        }
    }
}
