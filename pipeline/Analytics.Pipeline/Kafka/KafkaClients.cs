using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Analytics.Pipeline.Kafka;

/// <summary>Builds the Kafka clients from <see cref="KafkaOptions"/>: pass-through settings, then the enforced ones.</summary>
public static partial class KafkaClients
{
    public static ProducerConfig ProducerConfig(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ProducerConfig(new Dictionary<string, string>(options.Producer))
        {
            BootstrapServers = options.BootstrapServers,
        };
        // Ordered, not duplicated by retries, replicated before acknowledged: the spool relies on all three.
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        // A visitor's hits must share a partition whether they travel alone or packed: packs are placed by
        // TopicPartitions.Of, which is this partitioner.
        config.Partitioner = Partitioner.ConsistentRandom;
        return config;
    }

    public static ConsumerConfig ConsumerConfig(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ConsumerConfig(new Dictionary<string, string>(options.Consumer))
        {
            BootstrapServers = options.BootstrapServers,
        };
        // Offsets move only when a batch was stored (KafkaHitSource.CommitAsync), never on a timer.
        config.EnableAutoOffsetStore = false;
        config.EnableAutoCommit = false;
        config.GroupId ??= "analytics-aggregator";
        return config;
    }

    public static IProducer<byte[], byte[]> BuildProducer(KafkaOptions options, ILogger logger, Action<Error>? onError = null) =>
        new ProducerBuilder<byte[], byte[]>(ProducerConfig(options))
            .SetLogHandler((_, message) => Log.Client(logger, message.Level.ToString(), message.Facility, message.Message))
            .SetErrorHandler((_, error) =>
            {
                Log.ClientError(logger, error.Code, error.Reason, error.IsFatal);
                onError?.Invoke(error);
            })
            .Build();

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Debug, "librdkafka {Level} {Facility}: {Message}")]
        public static partial void Client(ILogger logger, string level, string facility, string message);

        [LoggerMessage(5002, LogLevel.Warning, "Kafka client error {Code}: {Reason} (fatal: {Fatal})")]
        public static partial void ClientError(ILogger logger, ErrorCode code, string reason, bool fatal);
    }
}
