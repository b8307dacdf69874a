using Analytics.Pipeline;
using Analytics.Pipeline.Kafka;
using Analytics.Pipeline.Spool;

namespace Analytics.Host.Distributed;

/// <summary>
/// What this process runs, from configuration: <c>Host:Roles</c> (collector, aggregator, or both: the
/// default) and <c>Transport:Kind</c> (Spool, the default: the embedded queue made durable by the local
/// fsynced spool; InProcess, a faster in-memory queue that a SIGKILL empties, only when asked for; or
/// Kafka). The aggregator role owns the storage and serves the stats API; the collector role answers beacons.
/// </summary>
public sealed record HostRoles(bool Collector, bool Aggregator, TransportKind Transport)
{
    public static HostRoles From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var roles = (configuration["Host:Roles"] ?? "collector,aggregator")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = roles.Where(r => r is not ("collector" or "aggregator")).ToList();
        if (unknown.Count > 0 || roles.Length == 0)
        {
            throw new InvalidOperationException($"Host:Roles must list collector and/or aggregator; got '{configuration["Host:Roles"]}'.");
        }
        if (!Enum.TryParse<TransportKind>(configuration["Transport:Kind"] ?? nameof(TransportKind.Spool), ignoreCase: true, out var transport))
        {
            throw new InvalidOperationException($"Transport:Kind must be InProcess, Spool or Kafka; got '{configuration["Transport:Kind"]}'.");
        }
        var result = new HostRoles(roles.Contains("collector"), roles.Contains("aggregator"), transport);
        if (transport != TransportKind.Kafka && !(result.Collector && result.Aggregator))
        {
            throw new InvalidOperationException($"Transport:Kind={transport} runs collector and aggregator in one process; set Transport:Kind=Kafka to run them apart.");
        }
        return result;
    }

    /// <summary>Registers the transport the roles need: the spool as queue, the in-process queue, or Kafka's sink and/or source.</summary>
    public IServiceCollection AddTransport(IServiceCollection services)
    {
        if (Transport == TransportKind.InProcess)
        {
            return services.AddInProcessTransport();
        }
        if (Transport == TransportKind.Spool)
        {
            return services.AddSpoolTransport();
        }
        if (Collector)
        {
            services.AddKafkaSink();
        }
        if (Aggregator)
        {
            services.AddKafkaSource();
        }
        return services;
    }
}

public enum TransportKind
{
    /// <summary>In-memory queue: an answered beacon is lost if the process is killed before its batch is stored (opt-in).</summary>
    InProcess,

    /// <summary>The local fsynced spool as queue: an answered beacon survives a SIGKILL (the default).</summary>
    Spool,

    Kafka,
}
