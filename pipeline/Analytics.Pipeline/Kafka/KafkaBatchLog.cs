using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// Remembers, in ClickHouse next to the hits, which offset range each batch covered before it is
/// inserted. After a crash the next owner of the partition rebuilds exactly that batch (same range,
/// same <c>insert_deduplication_token</c>), so ClickHouse drops the repeat instead of storing a
/// differently cut batch twice. The same idea as ClickHouse's own Kafka engine keeping its intents in Keeper.
/// The table is created by the migrations (schema/0007_kafka_batches.sql), so it is replicated on a cluster.
/// </summary>
public sealed class KafkaBatchLog(IClickHouse clickHouse)
{
    private string Table => clickHouse.Database + ".kafka_batches";

    /// <summary>The last offset of the batch that was begun at <paramref name="firstOffset"/>, or null when none was.</summary>
    public async Task<long?> FindLastOffsetAsync(string topic, int partition, long firstOffset, CancellationToken cancellationToken)
    {
        var output = await clickHouse.QueryAsync(
            $"SELECT last_offset FROM {Table} WHERE topic = {{topic:String}} AND partition = {{partition:Int32}} AND first_offset = {{first:Int64}} ORDER BY written LIMIT 1",
            "TabSeparated",
            new Dictionary<string, string>
            {
                ["topic"] = topic,
                ["partition"] = partition.ToString(CultureInfo.InvariantCulture),
                ["first"] = firstOffset.ToString(CultureInfo.InvariantCulture),
            },
            cancellationToken);
        var text = Encoding.UTF8.GetString(output).Trim();
        return text.Length == 0 ? null : long.Parse(text, CultureInfo.InvariantCulture);
    }

    public async Task RecordAsync(string topic, int partition, long firstOffset, long lastOffset, CancellationToken cancellationToken)
    {
        var row = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"topic\":{System.Text.Json.JsonSerializer.Serialize(topic)},\"partition\":{partition},\"first_offset\":{firstOffset},\"last_offset\":{lastOffset}}}\n"));
        await clickHouse.InsertAsync(Table, "JSONEachRow", row, cancellationToken: cancellationToken);
    }
}
