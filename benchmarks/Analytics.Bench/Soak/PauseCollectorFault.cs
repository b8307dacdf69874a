namespace Analytics.Bench.Soak;

/// <summary>Freezes the collector process (SIGSTOP) and thaws it (SIGCONT): a stalled host, GC pause or VM hiccup.</summary>
public sealed class PauseCollectorFault : IFaultScenario
{
    public string Name => "pause";

    public bool NeedsKafka => false;

    public string Description => "collector process frozen (SIGSTOP) then resumed (SIGCONT)";

    public Task InjectAsync(FaultContext context, CancellationToken cancellationToken) => context.Collector.Process.SignalAsync("STOP");

    public Task HealAsync(FaultContext context, CancellationToken cancellationToken) => context.Collector.Process.SignalAsync("CONT");
}
