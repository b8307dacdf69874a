namespace Analytics.Bench.Soak;

/// <summary>
/// A fault triggered during a soak run: injected a third into the run, healed after
/// <see cref="FaultContext.Hold"/>. Whatever the fault, every hit the collector acknowledged must be stored.
/// To add one, implement this and list it in <see cref="FaultScenarios"/>.
/// </summary>
public interface IFaultScenario
{
    string Name { get; }

    string Description { get; }

    /// <summary>Whether it runs only with `--transport kafka` (it drives the mock cluster, or the roles apart on it).</summary>
    bool NeedsKafka { get; }

    Task InjectAsync(FaultContext context, CancellationToken cancellationToken);

    Task HealAsync(FaultContext context, CancellationToken cancellationToken);
}
