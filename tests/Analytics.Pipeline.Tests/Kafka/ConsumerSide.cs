using System.Globalization;
using System.Text;
using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Kafka;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Tests.Kafka;

/// <summary>An aggregator on the Kafka transport without a host: source, dead-letter producer, aggregator into ClickHouse.</summary>
public sealed class ConsumerSide : IAsyncDisposable
{
    private bool _stopped;

    private ConsumerSide(KafkaHitSource source, KafkaProducer producer, Aggregator aggregator)
    {
        Source = source;
        Producer = producer;
        Aggregator = aggregator;
    }

    public KafkaHitSource Source { get; }

    public KafkaProducer Producer { get; }

    public Aggregator Aggregator { get; }

    public static KafkaHitSource NewSource(KafkaOptions options, IClickHouse clickHouse, KafkaProducer producer) =>
        new(Options.Create(options), new KafkaBatchLog(clickHouse), producer, NullLogger<KafkaHitSource>.Instance);

    public static KafkaProducer NewProducer(KafkaOptions options) =>
        new(Options.Create(options), new TestLifetime(), NullLogger<KafkaProducer>.Instance);

    public static async Task<ConsumerSide> StartAsync(KafkaOptions options, IClickHouse clickHouse, int batchSize = 10_000, TimeSpan? flushInterval = null)
    {
        var producer = NewProducer(options);
        var source = NewSource(options, clickHouse, producer);
        var aggregator = new Aggregator(source, new HitStore(clickHouse), Options.Create(new AggregatorOptions
        {
            BatchSize = batchSize,
            FlushInterval = flushInterval ?? TimeSpan.FromMilliseconds(100),
            RetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(400),
        }), NullLogger<Aggregator>.Instance);
        await aggregator.StartAsync(CancellationToken.None);
        return new ConsumerSide(source, producer, aggregator);
    }

    /// <summary>Rows and distinct hit IDs in the hits table.</summary>
    public static async Task<(long Rows, long Distinct)> CountAsync(IClickHouse clickHouse)
    {
        var text = Encoding.UTF8.GetString(await clickHouse.QueryAsync($"SELECT count(), uniqExact(hit_id) FROM {clickHouse.Database}.hits", "TabSeparated")).Trim();
        var parts = text.Split('\t');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    public static async Task<HashSet<Guid>> HitIdsAsync(IClickHouse clickHouse)
    {
        var text = Encoding.UTF8.GetString(await clickHouse.QueryAsync($"SELECT hit_id FROM {clickHouse.Database}.hits", "TabSeparated"));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToHashSet();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await Aggregator.StopAsync(CancellationToken.None);
        Aggregator.Dispose();
        Source.Dispose();
        Producer.Dispose();
    }
}
