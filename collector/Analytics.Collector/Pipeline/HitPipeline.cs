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
    private readonly TimeoutPool _timeouts = new();
    private long _writeFailedLoggedAt;

    public DateTime UtcNow => clock.GetUtcNow().UtcDateTime;

    /// <summary>Processes one beacon; returns the context (with the visitor ID to set) or null when dropped.</summary>
    public ValueTask<HitContext?> ProcessAsync(HttpContext http, BeaconParameters parameters) =>
        ProcessAsync(new HitContext(http, parameters, UtcNow));

    /// <summary>
    /// As <see cref="ProcessAsync(HttpContext, BeaconParameters)"/>, for callers that may also give up
    /// waiting (an import being stopped): the hand-off ends at the timeout or the token, whichever is first.
    /// </summary>
    public async ValueTask<HitContext?> ProcessAsync(HttpContext http, BeaconParameters parameters, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await ProcessAsync(http, parameters);
        }
        var started = Stopwatch.GetTimestamp();
        var hit = new HitContext(http, parameters, UtcNow);
        if (!Run(hit))
        {
            return null;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.HandOffTimeout);
        try
        {
            await sink.WriteAsync(hit.Hit, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Overloaded(hit);
            return null;
        }
        catch (IOException exception)
        {
            WriteFailed(exception, hit);
            return null;
        }
        metrics.Accepted(Stopwatch.GetElapsedTime(started));
        return hit;
    }

    /// <summary>Runs the steps, then waits (at most the hand-off timeout) until the transport holds the hit.</summary>
    public async ValueTask<HitContext?> ProcessAsync(HitContext hit)
    {
        var started = Stopwatch.GetTimestamp();
        if (!Run(hit))
        {
            return null;
        }

        // The hand-off is bounded by the timeout alone: a hit already received is handed on even if the
        // client goes away meanwhile. The timeout source is pooled, so a hit costs no timer allocation.
        var timeout = _timeouts.Rent(options.Value.HandOffTimeout);
        try
        {
            await sink.WriteAsync(hit.Hit, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Overloaded(hit);
            return null;
        }
        catch (IOException exception)
        {
            WriteFailed(exception, hit);
            return null;
        }
        finally
        {
            _timeouts.Return(timeout);
        }
        metrics.Accepted(Stopwatch.GetElapsedTime(started));
        return hit;
    }

    /// <summary>
    /// Runs the steps and hands the hit off without waiting for the transport: for answers (redirects)
    /// that a person is waiting on. The hand-off completes in the background within the hand-off timeout,
    /// and is counted as accepted or Overloaded then.
    /// </summary>
    public HitContext? ProcessInBackground(HitContext hit)
    {
        var started = Stopwatch.GetTimestamp();
        if (!Run(hit))
        {
            return null;
        }
        var timeout = new CancellationTokenSource(options.Value.HandOffTimeout);
        ValueTask pending;
        try
        {
            pending = sink.WriteAsync(hit.Hit, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            timeout.Dispose();
            Overloaded(hit);
            return null;
        }
        catch (IOException exception)
        {
            timeout.Dispose();
            WriteFailed(exception, hit);
            return null;
        }
        if (pending.IsCompletedSuccessfully)
        {
            timeout.Dispose();
            metrics.Accepted(Stopwatch.GetElapsedTime(started));
            return hit;
        }
        _ = CompleteAsync(pending, timeout, started);
        return hit;
    }

    /// <summary>
    /// Runs the steps without handing the hit on; false (and counted) when a step drops it. For the log
    /// import, which batches the hits straight into storage instead of one queue hop per hit.
    /// </summary>
    public bool RunSteps(HitContext hit) => Run(hit);

    /// <summary>Runs the steps; false (and counted) when a step drops the hit.</summary>
    private bool Run(HitContext hit)
    {
        foreach (var step in _steps)
        {
            if (step.Apply(hit) is { } reason)
            {
                hit.Dropped = reason;
                metrics.Rejected(reason);
                return false;
            }
        }
        return true;
    }

    private async Task CompleteAsync(ValueTask pending, CancellationTokenSource timeout, long started)
    {
        using (timeout)
        {
            try
            {
                await pending;
                metrics.Accepted(Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException)
            {
                Overloaded();
            }
            catch (IOException exception)
            {
                WriteFailed(exception);
            }
        }
    }

    private void Overloaded(HitContext? hit = null)
    {
        if (hit is not null)
        {
            hit.Dropped = DropReason.Overloaded;
        }
        // The answer is still given; the hit is counted as lost to overload, never silently.
        metrics.Rejected(DropReason.Overloaded);
        Log.HandOffTimedOut(logger);
    }

    private void WriteFailed(IOException exception, HitContext? hit = null)
    {
        if (hit is not null)
        {
            hit.Dropped = DropReason.WriteFailed;
        }
        // A full or failing disk under the spool: the beacon still gets its GIF, and the hit is counted as not kept.
        metrics.Rejected(DropReason.WriteFailed);
        // Every beacon meets the same disk: one log line in ten seconds says it (the counter has them all).
        var now = Stopwatch.GetTimestamp();
        var logged = Interlocked.Read(ref _writeFailedLoggedAt);
        if ((logged == 0 || Stopwatch.GetElapsedTime(logged, now) > TimeSpan.FromSeconds(10)) && Interlocked.CompareExchange(ref _writeFailedLoggedAt, now, logged) == logged)
        {
            Log.WriteFailed(logger, exception);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3002, LogLevel.Error, "The transport could not make a hit durable; answered the beacon and counted it as WriteFailed")]
        public static partial void WriteFailed(ILogger logger, Exception exception);

        [LoggerMessage(3001, LogLevel.Warning, "The transport did not take a hit in time; answered the beacon and counted it as Overloaded")]
        public static partial void HandOffTimedOut(ILogger logger);
    }
}
