using Analytics.KafkaMock;

namespace Analytics.Bench.Soak;

/// <summary>
/// The Kafka broker answers slowly (mock cluster round trip of 3 s, `--transport kafka` only): produce
/// requests stay in flight and the spool backs up; every answered beacon must still be stored once.
/// </summary>
public sealed class SlowAcksFault : IFaultScenario
{
    private const int RoundTripMs = 3000;

    public string Name => "slow-acks";

    public bool NeedsKafka => true;

    public string Description => $"Kafka mock broker round trip slowed to {RoundTripMs} ms";

    public Task InjectAsync(FaultContext context, CancellationToken cancellationToken)
    {
        Kafka(context).SetRoundTripTime(RoundTripMs);
        return Task.CompletedTask;
    }

    public Task HealAsync(FaultContext context, CancellationToken cancellationToken)
    {
        Kafka(context).SetRoundTripTime(0);
        return Task.CompletedTask;
    }

    private static MockCluster Kafka(FaultContext context) =>
        context.Kafka ?? throw new InvalidOperationException("The slow-acks fault needs --transport kafka.");
}
