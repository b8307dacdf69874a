using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Tests.Kafka;

public class KafkaServicesTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddOptions<AggregatorOptions>().BindConfiguration(AggregatorOptions.Section);
        services.AddKafkaSource();
        return services.BuildServiceProvider();
    }

    [Test]
    public void A_partition_buffer_smaller_than_a_batch_is_refused_with_both_keys_named()
    {
        using var services = Services(new() { ["Aggregator:BatchSize"] = "5000", ["Kafka:MaxBufferedPerPartition"] = "4999" });

        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<KafkaOptions>>().Value);

        Assert.That(error!.Message, Does.Contain("Kafka:MaxBufferedPerPartition").And.Contain("Aggregator:BatchSize"));
    }

    [Test]
    public void A_partition_buffer_as_large_as_a_batch_is_taken()
    {
        using var services = Services(new() { ["Aggregator:BatchSize"] = "5000", ["Kafka:MaxBufferedPerPartition"] = "5000" });

        Assert.That(services.GetRequiredService<IOptions<KafkaOptions>>().Value.MaxBufferedPerPartition, Is.EqualTo(5000));
    }

    [Test]
    public void The_default_buffer_holds_the_default_batch()
    {
        using var services = Services([]);

        Assert.That(services.GetRequiredService<IOptions<KafkaOptions>>().Value.MaxBufferedPerPartition,
            Is.GreaterThanOrEqualTo(services.GetRequiredService<IOptions<AggregatorOptions>>().Value.BatchSize));
    }
}
