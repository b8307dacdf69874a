using Analytics.KafkaMock;

namespace Analytics.Bench.Soak;

/// <summary>
/// The faults a soak can trigger, by name. More Kafka faults (slow broker, request errors) drive the
/// same mock cluster through <see cref="MockCluster"/>.
/// </summary>
public static class FaultScenarios
{
    /// <summary>Faults that need the collector and aggregator roles in processes of their own.</summary>
    public static bool NeedsRolesApart(IEnumerable<string> faults) =>
        faults.Any(f => f == KillRoleFault.Collector.Name || f == KillRoleFault.Aggregator.Name);

    public static IReadOnlyDictionary<string, IFaultScenario> All { get; } =
        new IFaultScenario[] { new PauseCollectorFault(), new CommandFault(), new BrokerDownFault(), new KillEmbeddedFault(), new SlowAcksFault(), KillRoleFault.Collector, KillRoleFault.Aggregator }.ToDictionary(f => f.Name, StringComparer.Ordinal);
}
