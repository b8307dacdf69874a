using Analytics.Bench.Servers;
using Analytics.KafkaMock;

namespace Analytics.Bench.Soak;

/// <summary>
/// What a fault can reach: the collector under load, the run's settings, how long the fault holds, a
/// place for its notes, the Kafka mock cluster the collector talks to (with `--transport kafka`; null
/// otherwise), and the aggregator role's process when the soak runs the roles apart (null otherwise).
/// </summary>
public sealed record FaultContext(CollectorServer Collector, BenchSettings Settings, TimeSpan Hold, TextWriter Log, MockCluster? Kafka = null, CollectorServer? Aggregator = null);
