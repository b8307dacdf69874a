namespace Analytics.Host.Bench.Soak;

/// <summary>
/// The faults a soak can trigger, by name. More Kafka faults (slow broker, request errors) drive the
/// same mock cluster through <see cref="Kafka.MockKafka"/>.
/// </summary>
public static class FaultScenarios
{
    public static IReadOnlyDictionary<string, IFaultScenario> All { get; } =
        new IFaultScenario[] { new PauseCollectorFault(), new CommandFault(), new BrokerDownFault(), new KillEmbeddedFault(), new SlowAcksFault() }.ToDictionary(f => f.Name, StringComparer.Ordinal);
}
