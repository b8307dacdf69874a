using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// The process's one Kafka producer (the collector's shipper and the aggregator's dead letters share it).
/// A fatal error (the idempotent producer can no longer guarantee order) stops the process: restarted,
/// it ships again from its spool, which is safer than carrying on with a broken producer.
/// </summary>
public sealed partial class KafkaProducer : IDisposable
{
    private readonly ILogger<KafkaProducer> _logger;

    public KafkaProducer(IOptions<KafkaOptions> options, IHostApplicationLifetime lifetime, ILogger<KafkaProducer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        Producer = KafkaClients.BuildProducer(options.Value, logger, error =>
        {
            if (error.IsFatal)
            {
                Log.Fatal(_logger, error.Code, error.Reason);
                lifetime.StopApplication();
            }
        });
    }

    public IProducer<byte[], byte[]> Producer { get; }

    public void Dispose()
    {
        // Whatever is still unacknowledged stays in the spool (or unconsumed in the topic) and is sent again.
        Producer.Flush(TimeSpan.FromSeconds(2));
        Producer.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(5101, LogLevel.Critical, "Fatal Kafka producer error {Code}: {Reason}; stopping so that a restart ships the spool again")]
        public static partial void Fatal(ILogger logger, ErrorCode code, string reason);
    }
}
