using Analytics.KafkaMock;

namespace Analytics.Bench.Soak;

/// <summary>The Kafka broker goes away and comes back (mock cluster, `--transport kafka` only): the collector must spool and ship later.</summary>
public sealed class BrokerDownFault : IFaultScenario
{
    public string Name => "broker-down";

    public bool NeedsKafka => true;

    public string Description => "Kafka mock broker down, then up again";

    public Task InjectAsync(FaultContext context, CancellationToken cancellationToken)
    {
        Kafka(context).SetBrokerDown();
        return Task.CompletedTask;
    }

    public Task HealAsync(FaultContext context, CancellationToken cancellationToken)
    {
        Kafka(context).SetBrokerUp();
        return Task.CompletedTask;
    }

    private static MockCluster Kafka(FaultContext context) =>
        context.Kafka ?? throw new InvalidOperationException("The broker-down fault needs --transport kafka.");
}
