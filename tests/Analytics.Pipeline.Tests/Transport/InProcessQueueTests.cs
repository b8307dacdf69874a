using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;

namespace Analytics.Pipeline.Tests.Transport;

public class InProcessQueueTests
{
    private static Hit NewHit(int i) => new() { HitId = Guid.CreateVersion7(), SiteId = "s", Timestamp = DateTime.UtcNow, VisitorId = Guid.NewGuid(), Path = "/" + i };

    [Test]
    public async Task A_batch_holds_at_most_max_hits_in_order()
    {
        var queue = new InProcessQueue(100);
        for (var i = 0; i < 10; i++)
        {
            await queue.WriteAsync(NewHit(i), CancellationToken.None);
        }

        var batch = await queue.ReadBatchAsync(4, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.That(batch.Hits.Select(h => h.Path), Is.EqualTo(new[] { "/0", "/1", "/2", "/3" }));
    }

    [Test]
    public async Task A_partial_batch_is_returned_once_the_wait_passes()
    {
        var queue = new InProcessQueue(100);
        await queue.WriteAsync(NewHit(1), CancellationToken.None);

        var batch = await queue.ReadBatchAsync(1000, TimeSpan.FromMilliseconds(20), CancellationToken.None);

        Assert.That(batch.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task A_cancelled_read_still_drains_what_is_queued()
    {
        var queue = new InProcessQueue(100);
        await queue.WriteAsync(NewHit(1), CancellationToken.None);
        await queue.WriteAsync(NewHit(2), CancellationToken.None);

        var drained = await queue.ReadBatchAsync(1000, TimeSpan.FromSeconds(5), new CancellationToken(canceled: true));
        var empty = await queue.ReadBatchAsync(1000, TimeSpan.FromSeconds(5), new CancellationToken(canceled: true));

        Assert.That(drained.Count, Is.EqualTo(2));
        Assert.That(empty.Count, Is.Zero);
    }

    [Test]
    public async Task A_full_queue_makes_writers_wait_instead_of_dropping()
    {
        var queue = new InProcessQueue(2);
        await queue.WriteAsync(NewHit(1), CancellationToken.None);
        await queue.WriteAsync(NewHit(2), CancellationToken.None);

        var third = queue.WriteAsync(NewHit(3), CancellationToken.None).AsTask();
        Assert.That(third.IsCompleted, Is.False);
        Assert.That(queue.IsHealthy, Is.False);

        await queue.ReadBatchAsync(1, TimeSpan.Zero, CancellationToken.None);
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(queue.Count, Is.EqualTo(2));
    }
}
