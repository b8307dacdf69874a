using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using static Analytics.Pipeline.Tests.Sessions.TestHits;

namespace Analytics.Pipeline.Tests.Aggregation;

/// <summary>A migrated database of its own, and a queue holding <c>count</c> pageviews of new visitors a minute apart.</summary>
internal static class QueuedHits
{
    public static async Task<(IClickHouse Db, InProcessQueue Queue)> CreateAsync(int count)
    {
        var db = Engine.NewDatabase();
        await new Pipeline.Schema.SchemaMigrator(db, NullLogger<Pipeline.Schema.SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var queue = new InProcessQueue(1_000);
        for (var i = 0; i < count; i++)
        {
            await queue.WriteAsync(At(Guid.NewGuid(), Noon.AddMinutes(i), "/p" + i), CancellationToken.None);
        }
        return (db, queue);
    }
}
