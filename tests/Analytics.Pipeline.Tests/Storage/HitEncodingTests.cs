using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Tests.Storage;

[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class HitEncodingTests(ClickHouseMode mode)
{
    [Test]
    public async Task Every_declared_hit_column_is_stored_as_the_hit_holds_it()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var hits = Enumerable.Range(0, 200).Select(i => RandomHit(random, i)).ToList();
        var retention = new RetentionOptions { Sites = new() { ["b"] = 7 } };
        var db = await Transports.NewMigratedDatabaseAsync(mode);

        var rows = new ArrayBufferWriter<byte>();
        HitRowBinaryEncoder.Encode(hits, rows, retention);
        await db.InsertAsync($"{db.Database}.hits ({HitRowBinaryEncoder.Columns})", HitRowBinaryEncoder.Format, rows.WrittenMemory, "same");

        var stored = await RowsAsync(db, "SELECT * FROM {db}.hits", "hit_id");
        Assert.That(stored, Has.Count.EqualTo(hits.Count));
        foreach (var hit in hits)
        {
            var row = stored[hit.HitId.ToString()];
            foreach (var field in HitFields.In(FieldTables.Hits))
            {
                var expected = field.Column == "retention_days" ? retention.RawDaysFor(hit.SiteId, hit.Timestamp) : PropertyOf(hit, field);
                AssertStored(row.GetProperty(field.Column), expected, $"hit {hit.HitId} column {field.Column}");
            }
        }
    }

    [Test]
    public async Task Every_declared_visit_column_is_stored_as_the_session_tracker_made_it()
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
                UtmContent = hit.UtmContent,
                ScreenWidth = hit.ScreenWidth,
            };
        }).ToList()).ToList();
        var retention = new RetentionOptions { Sites = new() { ["b"] = 7 } };
        var tracker = new SessionTracker(Options.Create(new SessionOptions()));
        var db = await Transports.NewMigratedDatabaseAsync(mode);

        var written = new List<SessionRow>();
        foreach (var batch in batches)
        {
            var visits = tracker.Track(batch);
            var rows = new ArrayBufferWriter<byte>();
            SessionRowBinaryEncoder.Encode(visits, rows, retention);
            await db.InsertAsync($"{db.Database}.sessions ({SessionRowBinaryEncoder.Columns})", SessionRowBinaryEncoder.Format, rows.WrittenMemory);
            written.AddRange(visits);
        }

        var stored = await RowsAsync(db, "SELECT *, concat(toString(session_id), '/', toString(version), '/', toString(sign)) AS state FROM {db}.sessions", "state");
        Assert.That(written.Any(v => v.Sign < 0), "some visits grew across batches");
        Assert.That(stored, Has.Count.EqualTo(written.Count));
        foreach (var visit in written)
        {
            var row = stored[$"{visit.SessionId}/{visit.Version}/{visit.Sign}"];
            foreach (var field in HitFields.In(FieldTables.Sessions))
            {
                var expected = field.Property is not null ? PropertyOf(visit.Entry, field) : field.Column switch
                {
                    "retention_days" => retention.RawDaysFor(visit.Entry.SiteId, visit.StartedAt),
                    "session_id" => visit.SessionId,
                    "sign" => visit.Sign,
                    "version" => visit.Version,
                    "started_at" => visit.StartedAt,
                    "ended_at" => visit.EndedAt,
                    "duration" => visit.Duration,
                    "hits" => visit.Hits,
                    "pageviews" => visit.Pageviews,
                    "events" => visit.Events,
                    "link_clicks" => visit.LinkClicks,
                    "is_bounce" => visit.IsBounce,
                    "entry_page" => visit.Entry.Path,
                    "exit_page" => visit.ExitPage,
                    var other => throw new AssertionException($"the test does not know the session column {other}"),
                };
                AssertStored(row.GetProperty(field.Column), expected, $"visit {visit.SessionId} column {field.Column}");
            }
        }
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

    private static object? PropertyOf(Hit hit, HitField field) => typeof(Hit).GetProperty(field.Property!)!.GetValue(hit);

    /// <summary>One JSON object per row, by the value of <paramref name="key"/>.</summary>
    private static async Task<Dictionary<string, JsonElement>> RowsAsync(IClickHouse db, string sql, string key)
    {
        var text = Encoding.UTF8.GetString(await db.QueryAsync(sql.Replace("{db}", db.Database, StringComparison.Ordinal), "JSONEachRow"));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(row => row.GetProperty(key).GetString()!);
    }

    private static void AssertStored(JsonElement stored, object? expected, string what)
    {
        switch (expected)
        {
            case string s:
                Assert.That(stored.GetString(), Is.EqualTo(s), what);
                break;
            case bool b:
                Assert.That(stored.GetBoolean(), Is.EqualTo(b), what);
                break;
            case Guid g:
                Assert.That(Guid.Parse(stored.GetString()!), Is.EqualTo(g), what);
                break;
            case DateTime t:
                var milliseconds = new DateTime(t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
                Assert.That(DateTime.ParseExact(stored.GetString()!, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), Is.EqualTo(milliseconds), what);
                break;
            case HitKind kind:
                Assert.That(stored.GetInt32(), Is.EqualTo((int)kind), what);
                break;
            case IReadOnlyDictionary<string, string> map:
                Assert.That(stored.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()), Is.EquivalentTo(map), what);
                break;
            default:
                Assert.That(stored.GetInt64(), Is.EqualTo(Convert.ToInt64(expected, CultureInfo.InvariantCulture)), what);
                break;
        }
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
