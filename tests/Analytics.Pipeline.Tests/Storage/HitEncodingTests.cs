using System.Buffers;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Storage;

namespace Analytics.Pipeline.Tests.Storage;

[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class HitEncodingTests(ClickHouseMode mode)
{
    [Test]
    public async Task RowBinary_and_JSONEachRow_store_the_same_rows()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var hits = Enumerable.Range(0, 200).Select(i => RandomHit(random, i)).ToList();
        var retention = new RetentionOptions { Sites = new() { ["b"] = 7 } };
        var json = await Transports.NewMigratedDatabaseAsync(mode);
        var binary = await Transports.NewMigratedDatabaseAsync(mode);

        var rows = new ArrayBufferWriter<byte>();
        HitRowsEncoder.Encode(hits, rows, retention);
        await json.InsertAsync($"{json.Database}.hits", HitRowsEncoder.Format, rows.WrittenMemory, "same");
        rows.ResetWrittenCount();
        HitRowBinaryEncoder.Encode(hits, rows, retention);
        await binary.InsertAsync($"{binary.Database}.hits ({HitRowBinaryEncoder.Columns})", HitRowBinaryEncoder.Format, rows.WrittenMemory, "same");

        var fromJson = await AllAsync(json);
        Assert.That(fromJson.Split('\n'), Has.Length.EqualTo(201));
        Assert.That(await AllAsync(binary), Is.EqualTo(fromJson));
        Assert.That(await AllAsync(binary, "SELECT sum(pageviews), uniqCombined64Merge(19)(visitors_exact) FROM {db}.rollup_site_hourly"),
            Is.EqualTo(await AllAsync(json, "SELECT sum(pageviews), uniqCombined64Merge(19)(visitors_exact) FROM {db}.rollup_site_hourly")));
    }

    [Test]
    public async Task Visits_stored_as_RowBinary_equal_visits_stored_as_JSONEachRow()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var visitors = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).Append(Guid.Empty).ToArray();
        var batches = Enumerable.Range(0, 5).Select(b => Enumerable.Range(0, 40).Select(i =>
        {
            var hit = RandomHit(random, i);
            return new Hit
            {
                HitId = hit.HitId,
                SiteId = hit.SiteId,
                VisitorId = visitors[random.Next(visitors.Length)],
                Timestamp = DateTime.UtcNow.AddHours(-3).AddMinutes((b * 10) + random.Next(10)),
                Kind = hit.Kind,
                Path = hit.Path,
                Referrer = hit.Referrer,
                Source = hit.Source,
                City = hit.City,
                Browser = hit.Browser,
                IsBot = hit.IsBot,
            };
        }).ToList()).ToList();
        var json = await Transports.NewMigratedDatabaseAsync(mode);
        var binary = await Transports.NewMigratedDatabaseAsync(mode);
        var jsonStore = new HitStore(json) { HitFormat = HitRowsEncoder.Format };
        var binaryStore = new HitStore(binary) { HitFormat = HitRowBinaryEncoder.Format };

        foreach (var batch in batches)
        {
            await jsonStore.WriteAsync(new Pipeline.Transport.HitBatch(batch), CancellationToken.None);
            await binaryStore.WriteAsync(new Pipeline.Transport.HitBatch(batch), CancellationToken.None);
        }

        const string Visits = "SELECT * FROM {db}.sessions ORDER BY session_id, version, sign";
        var fromJson = await AllAsync(json, Visits);
        Assert.That(fromJson, Does.Contain("\t-1\t"), "some visits grew across batches");
        Assert.That(await AllAsync(binary, Visits), Is.EqualTo(fromJson));
    }

    [Test]
    public async Task A_RowBinary_insert_naming_a_column_the_table_lacks_is_a_clear_error_and_stores_nothing()
    {
        var db = await Transports.NewMigratedDatabaseAsync(mode);
        var rows = new ArrayBufferWriter<byte>();
        HitRowBinaryEncoder.Encode([RandomHit(new Random(1), 0)], rows, new RetentionOptions());

        var error = Assert.ThrowsAsync<ClickHouseException>(() => db.InsertAsync(
            $"{db.Database}.hits ({HitRowBinaryEncoder.Columns.Replace("title", "no_such_column", StringComparison.Ordinal)})",
            HitRowBinaryEncoder.Format, rows.WrittenMemory));

        Assert.That(error!.Message, Does.Contain("no_such_column"));
        Assert.That(await AllAsync(db, "SELECT count() FROM {db}.hits"), Is.EqualTo("0\n"));
    }

    private static async Task<string> AllAsync(IClickHouse db, string sql = "SELECT * FROM {db}.hits ORDER BY hit_id") =>
        Encoding.UTF8.GetString(await db.QueryAsync(sql.Replace("{db}", db.Database, StringComparison.Ordinal), "TabSeparated"));

    private static Hit RandomHit(Random random, int i)
    {
        const string Alphabet = "aZ09/ é'\"\\\t\n✓";
        // Mostly short; one in eight runs long, so UTF-8 lengths fall on both sides of the 128 bytes where
        // RowBinary's length prefix grows to two bytes.
        string Text() => new([.. Enumerable.Range(0, random.Next(8) == 0 ? random.Next(30, 200) : random.Next(0, 12)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
        return new Hit
        {
            HitId = Guid.CreateVersion7(),
            SiteId = random.Next(2) == 0 ? "a" : "b",
            // Within the shortest retention (7 days), or the TTL would drop rows before they are compared.
            Timestamp = DateTime.UtcNow.AddMilliseconds(-random.NextInt64(0, 6L * 86_400_000)),
            VisitorId = random.Next(5) == 0 ? Guid.Empty : Guid.NewGuid(),
            IsNewVisitor = random.Next(2) == 0,
            Kind = (HitKind)random.Next(1, 4),
            EventName = Text(),
            Hostname = "www.example.com",
            Path = "/" + Text(),
            Title = Text(),
            Referrer = Text(),
            Source = Text(),
            Channel = Text(),
            UtmSource = Text(),
            UtmMedium = Text(),
            UtmCampaign = Text(),
            UtmTerm = Text(),
            UtmContent = Text(),
            Country = "DE",
            Region = "DE-BE",
            City = Text(),
            Browser = Text(),
            BrowserVersion = Text(),
            Os = Text(),
            OsVersion = Text(),
            DeviceType = Text(),
            ScreenWidth = (ushort)random.Next(0, ushort.MaxValue + 1),
            IsBot = random.Next(10) == 0,
            LinkCampaign = Text(),
            LinkTarget = Text(),
            Props = random.Next(2) == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { ["k" + i] = Text(), ["plan"] = Text() },
        };
    }
}
