using System.Text;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Pipeline.Tests.ClickHouse;

/// <summary>The reader against what the engine itself writes: one array of tuples, as the stored visit states are read.</summary>
public class RowBinaryReaderTests
{
    private const string Answer = """
        SELECT arraySort(r -> -toInt32(r.4), groupArray(tuple(s, u, b, n16, n32, t))) FROM (
            SELECT 'héllo' AS s, toUUID('01932f5e-7c1a-7b3e-9d4f-0123456789ab') AS u, true AS b, toUInt16(1280) AS n16,
                   toUInt32(4000000000) AS n32, toDateTime64('2026-12-06 10:11:12.345', 3, 'UTC') AS t
            UNION ALL
            SELECT repeat('x', 300), toUUID('ffffffff-0000-4000-8000-000000000001'), false, toUInt16(0), toUInt32(0),
                   toDateTime64('1999-01-02 03:04:05.006', 3, 'UTC'))
        """;

    [Test]
    public void Reads_back_every_type_as_the_engine_wrote_it()
    {
        var output = Engine.Shared.Query(Answer, "RowBinary");

        var reader = new RowBinaryReader(output, "test");
        var count = reader.Count(minBytes: 1);
        var rows = new List<(string, Guid, bool, ushort, uint, DateTime)>();
        for (var i = 0; i < count; i++)
        {
            rows.Add((reader.String(), reader.Uuid(), reader.Bool(), reader.UInt16(), reader.UInt32(), reader.DateTime64Milli()));
        }

        Assert.That(reader.AtEnd, Is.True);
        Assert.That(rows, Is.EqualTo(new[]
        {
            ("héllo", Guid.Parse("01932f5e-7c1a-7b3e-9d4f-0123456789ab"), true, (ushort)1280, 4_000_000_000u, new DateTime(2026, 12, 6, 10, 11, 12, 345, DateTimeKind.Utc)),
            (new string('x', 300), Guid.Parse("ffffffff-0000-4000-8000-000000000001"), false, (ushort)0, 0u, new DateTime(1999, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc)),
        }));
    }

    [Test]
    public void An_answer_cut_short_is_refused_wherever_it_ends()
    {
        var output = Engine.Shared.Query(Answer, "RowBinary");

        for (var length = 0; length < output.Length; length++)
        {
            Assert.Throws<ClickHouseException>(() => ReadAll(output.AsSpan(0, length)), $"cut at {length} of {output.Length} bytes");
        }
        Assert.That(ReadAll(output), Is.True);
    }

    [Test]
    public void Error_text_appended_to_a_whole_answer_is_left_over()
    {
        var output = Engine.Shared.Query(Answer, "RowBinary");
        var appended = output.Concat(Encoding.UTF8.GetBytes("Code: 241. DB::Exception: Memory limit exceeded")).ToArray();

        Assert.That(ReadAll(appended), Is.False);
    }

    /// <summary>Reads the array as <see cref="Answer"/> types it; whether every byte was read.</summary>
    private static bool ReadAll(ReadOnlySpan<byte> output)
    {
        var reader = new RowBinaryReader(output, "test");
        var count = reader.Count(minBytes: 1);
        for (var i = 0; i < count; i++)
        {
            _ = (reader.String(), reader.Uuid(), reader.Bool(), reader.UInt16(), reader.UInt32(), reader.DateTime64Milli());
        }
        return reader.AtEnd;
    }
}
