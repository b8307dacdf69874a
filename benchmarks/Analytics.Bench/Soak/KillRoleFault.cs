using Analytics.Bench.Servers;

namespace Analytics.Bench.Soak;

/// <summary>
/// A crash of one role of the distributed deployment (the soak then runs `analytics collector` and
/// `analytics aggregator` apart, on the mock cluster): SIGKILL, then the same command again on the same
/// port and data folder. Every beacon answered before the kill must be stored, once.
/// </summary>
public sealed class KillRoleFault : IFaultScenario
{
    private readonly Func<FaultContext, CollectorServer> _target;

    private KillRoleFault(string role, Func<FaultContext, CollectorServer> target)
    {
        Name = "kill-" + role;
        Description = $"{role} role killed (SIGKILL), restarted on the same port and data folder";
        _target = target;
    }

    public static KillRoleFault Collector { get; } = new("collector", context => context.Collector);

    public static KillRoleFault Aggregator { get; } = new("aggregator", context =>
        context.Aggregator ?? throw new InvalidOperationException("The kill-aggregator fault needs the roles apart."));

    public string Name { get; }

    public bool NeedsKafka => true;

    public string Description { get; }

    public Task InjectAsync(FaultContext context, CancellationToken cancellationToken) => _target(context).KillAsync();

    public Task HealAsync(FaultContext context, CancellationToken cancellationToken) => _target(context).RestartAsync(cancellationToken);
}
