using Analytics.Host.Bench.Servers;

namespace Analytics.Host.Bench.Soak;

/// <summary>What a fault can reach: the collector under load, the run's settings and a place for its notes.</summary>
public sealed record FaultContext(CollectorServer Collector, BenchSettings Settings, TimeSpan Hold, TextWriter Log);
