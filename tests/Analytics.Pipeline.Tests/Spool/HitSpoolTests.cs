using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Analytics.Pipeline.Spool;

namespace Analytics.Pipeline.Tests.Spool;

public class HitSpoolTests
{
    private string _path = "";

    [SetUp]
    public void NewFolder() => _path = Path.Combine(Path.GetTempPath(), "spool-test-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private HitSpool Open(long maxBytes = 1L << 30, long segmentBytes = 1L << 20, long readCacheBytes = 16L << 20) =>
        HitSpool.Open(new SpoolOptions { Path = _path, MaxBytes = maxBytes, SegmentBytes = segmentBytes, ReadCacheBytes = readCacheBytes });

    private static byte[] Record(int i) => Encoding.UTF8.GetBytes("record " + i);

    private static List<string> ReadAll(HitSpool spool, List<SpoolRecord>? records = null)
    {
        records ??= [];
        while (spool.Read(records, 1000) > 0)
        {
        }
        return records.ConvertAll(r => Encoding.UTF8.GetString(r.Payload));
    }

    [Test]
    public async Task Appended_records_are_read_back_in_order()
    {
        using var spool = Open();
        for (var i = 0; i < 100; i++)
        {
            await spool.AppendAsync(Record(i), CancellationToken.None);
        }

        Assert.That(ReadAll(spool), Is.EqualTo(Enumerable.Range(0, 100).Select(i => "record " + i)));
        Assert.That(spool.PendingBytes, Is.EqualTo(100 * 8 + Enumerable.Range(0, 100).Sum(i => Record(i).Length)));
    }

    [Test]
    public async Task Concurrent_appends_share_fsyncs()
    {
        using var spool = Open();

        await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => spool.AppendAsync(Record(i), CancellationToken.None).AsTask()));

        Assert.That(spool.Appended, Is.EqualTo(2000));
        Assert.That(spool.Fsyncs, Is.LessThan(2000));
        Assert.That(ReadAll(spool), Has.Count.EqualTo(2000));
    }

    [Test]
    public async Task A_reopened_spool_gives_back_only_what_was_not_acknowledged()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 10; i++)
            {
                await spool.AppendAsync(Record(i), CancellationToken.None);
            }
            var records = new List<SpoolRecord>();
            spool.Read(records, 4);
            spool.Acknowledge(records[^1].End);
        }

        using var reopened = Open();

        Assert.That(ReadAll(reopened), Is.EqualTo(Enumerable.Range(4, 6).Select(i => "record " + i)));
    }

    [Test]
    public async Task A_torn_tail_left_by_a_crash_is_cut_off()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 5; i++)
            {
                await spool.AppendAsync(Record(i), CancellationToken.None);
            }
        }
        var segment = Directory.GetFiles(_path, "*.seg").Order().Last(f => new FileInfo(f).Length > 0);
        await using (var file = new FileStream(segment, FileMode.Append))
        {
            // A frame header promising 100 bytes, followed by only 3 of them.
            await file.WriteAsync(new byte[] { 100, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9 });
        }

        using var reopened = Open();
        await reopened.AppendAsync(Record(5), CancellationToken.None);

        Assert.That(ReadAll(reopened), Is.EqualTo(Enumerable.Range(0, 6).Select(i => "record " + i)));
    }

    [Test]
    public async Task Rewind_reads_again_from_the_last_acknowledged_record()
    {
        using var spool = Open();
        for (var i = 0; i < 6; i++)
        {
            await spool.AppendAsync(Record(i), CancellationToken.None);
        }
        var first = new List<SpoolRecord>();
        spool.Read(first, 2);
        spool.Acknowledge(first[^1].End);
        spool.Read(first, 2);

        spool.Rewind();

        Assert.That(ReadAll(spool), Is.EqualTo(Enumerable.Range(2, 4).Select(i => "record " + i)));
    }

    [Test]
    public async Task Segments_roll_and_shipped_segments_are_deleted()
    {
        using var spool = Open(segmentBytes: 1L << 16);
        var payload = new byte[10_000];
        for (var i = 0; i < 30; i++)
        {
            await spool.AppendAsync(payload, CancellationToken.None);
        }
        Assert.That(Directory.GetFiles(_path, "*.seg"), Has.Length.GreaterThan(3));

        var records = new List<SpoolRecord>();
        ReadAll(spool, records);
        spool.Acknowledge(records[^1].End);

        Assert.That(records, Has.Count.EqualTo(30));
        Assert.That(spool.PendingBytes, Is.Zero);
        Assert.That(Directory.GetFiles(_path, "*.seg"), Has.Length.LessThanOrEqualTo(2));
    }

    [Test]
    public async Task At_the_bound_an_append_waits_for_space_and_is_counted()
    {
        using var spool = Open(maxBytes: 1L << 20);
        var payload = new byte[300_000];
        for (var i = 0; i < 3; i++)
        {
            await spool.AppendAsync(payload, CancellationToken.None);
        }

        var blocked = spool.AppendAsync(payload, CancellationToken.None).AsTask();
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.That(async () => await spool.AppendAsync(payload, soon.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(blocked.IsCompleted, Is.False);
        Assert.That(spool.FullWaits, Is.EqualTo(2));

        var records = new List<SpoolRecord>();
        spool.Read(records, 1);
        spool.Acknowledge(records[0].End);
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(ReadAll(spool), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_reader_that_keeps_up_is_served_from_memory()
    {
        using var spool = Open();
        var records = new List<SpoolRecord>();
        for (var i = 0; i < 50; i++)
        {
            await spool.AppendAsync(Record(i), CancellationToken.None);
            spool.Read(records, 10);
        }

        Assert.That(records.ConvertAll(r => Encoding.UTF8.GetString(r.Payload)), Is.EqualTo(Enumerable.Range(0, 50).Select(i => "record " + i)));
        Assert.That(spool.ReadFromFile, Is.Zero);
    }

    [Test]
    public async Task Records_beyond_a_full_read_cache_are_read_from_the_files_in_order()
    {
        // 40 records of 1,000 bytes over 8 KiB segments; the cache holds about three records.
        using var spool = Open(segmentBytes: 8 << 10, readCacheBytes: 3_100);
        var payloads = Enumerable.Range(0, 40).Select(i => new byte[1_000].Select(_ => (byte)i).ToArray()).ToList();
        await Task.WhenAll(payloads.Take(20).Select(p => spool.AppendAsync(p, CancellationToken.None).AsTask()));
        var records = new List<SpoolRecord>();
        spool.Read(records, 15);
        spool.Acknowledge(records[9].End);
        spool.Rewind();
        await Task.WhenAll(payloads.Skip(20).Select(p => spool.AppendAsync(p, CancellationToken.None).AsTask()));
        records.RemoveRange(10, records.Count - 10);

        ReadAll(spool, records);

        Assert.That(records.ConvertAll(r => (int)r.Payload[0]), Is.EqualTo(Enumerable.Range(0, 40)));
        Assert.That(records.Select(r => r.End), Is.Ordered.And.Unique);
        Assert.That(spool.ReadFromFile, Is.GreaterThan(0).And.LessThan(40));
        spool.Acknowledge(records[^1].End);
        Assert.That(spool.PendingBytes, Is.Zero);
    }

    [Test]
    public async Task Without_a_read_cache_every_record_is_read_from_the_files()
    {
        using var spool = Open(readCacheBytes: 0);
        for (var i = 0; i < 10; i++)
        {
            await spool.AppendAsync(Record(i), CancellationToken.None);
        }

        Assert.That(ReadAll(spool), Is.EqualTo(Enumerable.Range(0, 10).Select(i => "record " + i)));
        Assert.That(spool.ReadFromFile, Is.EqualTo(10));
    }

    [Test]
    public async Task Rounds_of_concurrent_appends_each_complete_once_their_records_are_durable()
    {
        // The waits are pooled and reused from round to round; every append must still complete exactly when its own record is written.
        using var spool = Open();
        for (var round = 0; round < 20; round++)
        {
            var before = spool.Appended;
            var appends = Enumerable.Range(0, 200).Select(i => spool.AppendAsync(Record(round * 200 + i), CancellationToken.None).AsTask()).ToList();
            await Task.WhenAll(appends);
            Assert.That(spool.Appended - before, Is.EqualTo(200), $"round {round}");
        }

        var read = ReadAll(spool);
        Assert.That(read, Has.Count.EqualTo(4000));
        Assert.That(read, Is.Unique);
    }

    [Test]
    public async Task An_answer_that_blocks_on_a_further_append_does_not_stall_the_spool()
    {
        // A group's continuations run in a thread-pool work item, never on the writer thread: even one that
        // blocks until another record is durable (the synchronous wait is the point here) sees it written.
        // Completed on the writer thread this deadlocks, so every wait is bounded and the spool is disposed
        // only once the answer came: the test then fails instead of hanging.
        var spool = Open();

        var nested = spool.AppendAsync(Record(0), CancellationToken.None).AsTask().ContinueWith(
            _ => spool.AppendAsync(Record(1), CancellationToken.None).AsTask().Wait(TimeSpan.FromSeconds(10)),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        Assert.That(await nested.WaitAsync(TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(ReadAll(spool), Is.EqualTo(new[] { "record 0", "record 1" }));
        spool.Dispose();
    }

    [Test]
    public void An_append_to_a_disposed_spool_fails()
    {
        var spool = Open();
        spool.Dispose();

        Assert.That(async () => await spool.AppendAsync(Record(1), CancellationToken.None), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task Acknowledged_positions_survive_many_reopens()
    {
        var next = 0;
        for (var round = 0; round < 5; round++)
        {
            using var spool = Open();
            for (var i = 0; i < 3; i++)
            {
                await spool.AppendAsync(Record(round * 3 + i), CancellationToken.None);
            }
            var records = new List<SpoolRecord>();
            var read = ReadAll(spool, records);
            Assert.That(read, Is.EqualTo(Enumerable.Range(next, round * 3 + 3 - next).Select(i => "record " + i)), $"round {round}");
            // Acknowledge all but the newest, one by one: many checkpoint writes, alternating slots.
            foreach (var record in records.SkipLast(1))
            {
                spool.Acknowledge(record.End);
            }
            next = round * 3 + 2;
        }
    }

    [Test]
    public async Task A_damaged_newest_checkpoint_falls_back_to_the_one_before_it()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 6; i++)
            {
                await spool.AppendAsync(Record(i), CancellationToken.None);
            }
            var records = new List<SpoolRecord>();
            spool.Read(records, 4);
            spool.Acknowledge(records[1].End);
            spool.Acknowledge(records[3].End);
        }
        // The second checkpoint went to the first slot: damage it, as a torn write would.
        var path = Path.Combine(_path, "checkpoints");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[10] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        using var reopened = Open();

        Assert.That(ReadAll(reopened), Is.EqualTo(Enumerable.Range(2, 4).Select(i => "record " + i)));
    }

    [Test]
    public async Task A_spool_left_by_an_earlier_version_resumes_from_its_checkpoint_file()
    {
        SpoolPosition acknowledged;
        using (var spool = Open())
        {
            for (var i = 0; i < 6; i++)
            {
                await spool.AppendAsync(Record(i), CancellationToken.None);
            }
            var records = new List<SpoolRecord>();
            spool.Read(records, 3);
            acknowledged = records[^1].End;
        }
        // The earlier format: one file of segment, offset and their CRC-32, replaced by a rename.
        var legacy = new byte[20];
        BinaryPrimitives.WriteInt64LittleEndian(legacy, acknowledged.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(legacy.AsSpan(8), acknowledged.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(16), Crc32.HashToUInt32(legacy.AsSpan(0, 16)));
        await File.WriteAllBytesAsync(Path.Combine(_path, "checkpoint"), legacy);

        using (var reopened = Open())
        {
            var records = new List<SpoolRecord>();
            Assert.That(ReadAll(reopened, records), Is.EqualTo(Enumerable.Range(3, 3).Select(i => "record " + i)));
            reopened.Acknowledge(records[0].End);
        }

        Assert.That(File.Exists(Path.Combine(_path, "checkpoint")), Is.False, "the old checkpoint file is replaced once a new one is written");
        using var again = Open();
        Assert.That(ReadAll(again), Is.EqualTo(Enumerable.Range(4, 2).Select(i => "record " + i)));
    }
}
