using System.Diagnostics;
using Analytics.Pipeline.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Pipeline;

/// <summary>Runs a beacon through the steps in order and hands an accepted hit to the transport.</summary>
public sealed partial class HitPipeline(
    IEnumerable<IHitStep> steps,
    IHitSink sink,
    CollectorMetrics metrics,
    TimeProvider clock,
    IOptions<CollectorOptions> options,
    ILogger<HitPipeline> logger)
{
    private readonly IHitStep[] _steps = steps.ToArray();

    /// <summary>Processes one beacon; returns the context (with the visitor ID to set) or null when dropped.</summary>
    public async ValueTask<HitContext?> ProcessAsync(HttpContext http, BeaconParameters parameters, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var hit = new HitContext(http, parameters, clock.GetUtcNow().UtcDateTime);
        foreach (var step in _steps)
        {
            if (step.Apply(hit) is { } reason)
            {
                metrics.Rejected(reason);
                return null;
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.HandOffTimeout);
        try
        {
            await sink.WriteAsync(hit.Hit, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // The GIF is still answered; the hit is counted as lost to overload, never silently.
            metrics.Rejected(DropReason.Overloaded);
            Log.HandOffTimedOut(logger);
            return null;
        }
        metrics.Accepted(Stopwatch.GetElapsedTime(started));
        return hit;
    }

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Warning, "The transport did not take a hit in time; answered the beacon and counted it as Overloaded")]
        public static partial void HandOffTimedOut(ILogger logger);
    }
}
