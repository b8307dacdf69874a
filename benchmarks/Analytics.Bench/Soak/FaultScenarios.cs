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

    /// <summary>
    /// Why the faults cannot run, in one line (an unknown name, or a Kafka fault without `--transport kafka`,
    /// <paramref name="usesKafka"/>); null when they can. Checked before anything starts.
    /// </summary>
    public static string? Problem(IEnumerable<string> faults, bool usesKafka)
    {
        foreach (var name in faults)
        {
            if (!All.TryGetValue(name, out var fault))
            {
                return $"Unknown fault '{name}'; known: {string.Join(", ", All.Keys)}.";
            }
            if (fault.NeedsKafka && !usesKafka)
            {
                return $"The {name} fault needs --transport kafka.";
            }
        }
        return null;
    }

    public static IReadOnlyDictionary<string, IFaultScenario> All { get; } =
        new IFaultScenario[] { new PauseCollectorFault(), new CommandFault(), new BrokerDownFault(), new KillEmbeddedFault(), new SlowAcksFault(), KillRoleFault.Collector, KillRoleFault.Aggregator }.ToDictionary(f => f.Name, StringComparer.Ordinal);
}
