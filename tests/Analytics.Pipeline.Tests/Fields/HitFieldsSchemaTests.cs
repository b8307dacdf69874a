using System.Buffers;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;

namespace Analytics.Pipeline.Tests.Fields;

/// <summary>
/// The declaration (<see cref="HitFields"/>) against the migrated schema on the real engine: every table it
/// describes has exactly its columns, with its types, and every rollup it names carries what it says.
/// </summary>
public class HitFieldsSchemaTests
{
    [TestCase("hits", FieldTables.Hits)]
    [TestCase("sessions", FieldTables.Sessions)]
    public async Task The_table_has_exactly_the_declared_columns_and_types(string table, FieldTables tables)
    {
        var db = await Transports.NewMigratedDatabaseAsync(ClickHouseMode.Embedded);

        var described = await DescribeAsync(db, table);

        Assert.That(described, Is.EquivalentTo(HitFields.In(tables).Select(f => $"{f.Column} {f.ClickHouseType}")));
    }

    [Test]
    public async Task Every_rollup_named_in_the_declaration_has_the_declared_columns_and_no_undeclared_one()
    {
        var db = await Transports.NewMigratedDatabaseAsync(ClickHouseMode.Embedded);
        var rollups = HitFields.All.SelectMany(f => f.Rollups).Distinct().Where(r => r != AttributesRollup).ToList();

        Assert.That(rollups, Is.Not.Empty);
        foreach (var rollup in rollups)
        {
            var dimensions = (await DescribeAsync(db, rollup))
                .Where(c => c.EndsWith(" String", StringComparison.Ordinal) || c.EndsWith(" LowCardinality(String)", StringComparison.Ordinal))
                .Select(c => c.Split(' ')[0]).Where(c => c != "site_id");
            Assert.That(dimensions, Is.EquivalentTo(HitFields.ColumnsIn(rollup)), rollup);
        }
    }

    [Test]
    public async Task The_visit_attributes_rollup_carries_the_declared_attributes()
    {
        var db = await Transports.NewMigratedDatabaseAsync(ClickHouseMode.Embedded);
        var entry = new Hit { HitId = Guid.NewGuid(), SiteId = "s", Timestamp = DateTime.UtcNow, VisitorId = Guid.NewGuid(), Country = "DE" };
        var visit = new SessionRow
        {
            Entry = entry,
            SessionId = entry.HitId,
            Sign = 1,
            Version = 1,
            StartedAt = entry.Timestamp,
            EndedAt = entry.Timestamp,
            ExitPage = "/",
            Hits = 1,
            Pageviews = 1,
            Events = 0,
            LinkClicks = 0,
        };
        var rows = new ArrayBufferWriter<byte>();
        SessionRowBinaryEncoder.Encode([visit], rows, new RetentionOptions());
        await db.InsertAsync($"{db.Database}.sessions ({SessionRowBinaryEncoder.Columns})", SessionRowBinaryEncoder.Format, rows.WrittenMemory);

        var attributes = Lines(await db.QueryAsync($"SELECT DISTINCT attribute FROM {db.Database}.{AttributesRollup}", "TabSeparated"));

        Assert.That(attributes, Is.EquivalentTo(HitFields.ColumnsIn(AttributesRollup)));
    }

    private const string AttributesRollup = "rollup_visit_attributes_daily";

    private static async Task<List<string>> DescribeAsync(IClickHouse db, string table) =>
        [.. Lines(await db.QueryAsync($"DESCRIBE TABLE {db.Database}.{table}", "TSVRaw")).Select(line => string.Join(' ', line.Split('\t')[..2]))];

    private static List<string> Lines(byte[] output) => [.. Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
