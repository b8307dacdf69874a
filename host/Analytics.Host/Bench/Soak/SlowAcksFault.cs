namespace Analytics.Host.Bench.Soak;

/// <summary>
/// The Kafka broker answers slowly (mock cluster round trip of 3 s, `--transport kafka` only): produce
/// requests stay in flight and the spool backs up; every answered beacon must still be stored once.
/// </summary>
public sealed class SlowAcksFault : IFaultScenario
{
    private const int RoundTripMs = 3000;

    public string Name => "slow-acks";

    public string Description => $"Kafka mock broker round trip slowed to {RoundTripMs} ms";

    public Task InjectAsync(FaultContext context, CancellationToken cancellationToken)
    {
        Kafka(context).SetBrokerRtt(RoundTripMs);
        return Task.CompletedTask;
    }

    public Task HealAsync(FaultContext context, CancellationToken cancellationToken)
    {
        Kafka(context).SetBrokerRtt(0);
        return Task.CompletedTask;
    }

    private static Kafka.MockKafka Kafka(FaultContext context) =>
        context.Kafka ?? throw new InvalidOperationException("The slow-acks fault needs --transport kafka.");
}
