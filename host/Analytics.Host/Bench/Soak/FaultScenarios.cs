namespace Analytics.Host.Bench.Soak;

/// <summary>
/// The faults a soak can trigger, by name. Kafka faults (mock broker down, slow broker, request errors)
/// belong here once the Kafka transport is on main: they drive librdkafka's mock cluster of the collector.
/// </summary>
public static class FaultScenarios
{
    public static IReadOnlyDictionary<string, IFaultScenario> All { get; } =
        new IFaultScenario[] { new PauseCollectorFault(), new CommandFault() }.ToDictionary(f => f.Name, StringComparer.Ordinal);
}
