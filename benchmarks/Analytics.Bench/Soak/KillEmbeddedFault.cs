namespace Analytics.Bench.Soak;

/// <summary>
/// A crash of the embedded host: SIGKILL (no shutdown code runs), then the same command again on the
/// same port and data folder. Every beacon it answered before the kill must be stored, once.
/// </summary>
public sealed class KillEmbeddedFault : IFaultScenario
{
    public string Name => "kill-embedded";

    public bool NeedsKafka => false;

    public string Description => "embedded host killed (SIGKILL), restarted on the same port and data folder";

    public Task InjectAsync(FaultContext context, CancellationToken cancellationToken) => context.Collector.KillAsync();

    public Task HealAsync(FaultContext context, CancellationToken cancellationToken) => context.Collector.RestartAsync(cancellationToken);
}
