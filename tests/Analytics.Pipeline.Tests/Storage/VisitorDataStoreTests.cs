using System.Text;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Pipeline.Tests.Storage;

public class VisitorDataStoreTests
{
    [Test]
    public async Task Erasing_a_visitor_removes_their_hits_and_keeps_everyone_elses()
    {
        var db = Engine.NewDatabase();
        await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var store = new HitStore(db);
        var visitors = new VisitorDataStore(db);
        Guid me = Guid.NewGuid(), other = Guid.NewGuid();
        await store.WriteAsync(new HitBatch([Hit(me, "/a"), Hit(me, "/b"), Hit(other, "/c")]), CancellationToken.None);

        var before = Lines(await visitors.ExportAsync(me, CancellationToken.None));
        await visitors.EraseAsync(me, CancellationToken.None);
        var after = Lines(await visitors.ExportAsync(me, CancellationToken.None));
        var others = Lines(await visitors.ExportAsync(other, CancellationToken.None));

        Assert.That(before, Has.Length.EqualTo(2));
        Assert.That(before, Has.All.Contains("\"path\":\"/"));
        Assert.That(after, Is.Empty);
        Assert.That(others, Has.Length.EqualTo(1));
    }

    private static Hit Hit(Guid visitor, string path) =>
        new() { HitId = Guid.CreateVersion7(), SiteId = "s", Timestamp = DateTime.UtcNow, VisitorId = visitor, Path = path };

    private static string[] Lines(byte[] output) => Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
