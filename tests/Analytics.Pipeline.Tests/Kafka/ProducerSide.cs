using Analytics.Pipeline.Kafka;
using Analytics.Pipeline.Spool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Tests.Kafka;

/// <summary>A collector's transport without the web part: spool, producer, shipper and sink, started.</summary>
public sealed class ProducerSide : IAsyncDisposable
{
    private ProducerSide(HitSpool spool, KafkaProducer producer, SpoolShipper shipper)
    {
        Spool = spool;
        Producer = producer;
        Shipper = shipper;
        Sink = new KafkaHitSink(spool, shipper);
    }

    public HitSpool Spool { get; }

    public KafkaProducer Producer { get; }

    public SpoolShipper Shipper { get; }

    public KafkaHitSink Sink { get; }

    public static async Task<ProducerSide> StartAsync(KafkaOptions options, string spoolPath)
    {
        var spool = HitSpool.Open(new SpoolOptions { Path = spoolPath });
        var producer = new KafkaProducer(Options.Create(options), new TestLifetime(), NullLogger<KafkaProducer>.Instance);
        var shipper = new SpoolShipper(spool, producer, Options.Create(options), NullLogger<SpoolShipper>.Instance);
        await shipper.StartAsync(CancellationToken.None);
        return new ProducerSide(spool, producer, shipper);
    }

    public async ValueTask DisposeAsync()
    {
        await Shipper.StopAsync(CancellationToken.None);
        Shipper.Dispose();
        Producer.Dispose();
        Spool.Dispose();
    }
}
