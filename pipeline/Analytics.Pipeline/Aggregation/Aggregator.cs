using System.Diagnostics;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Aggregation;

/// <summary>
/// Reads hits in batches (by size and by time), stores each batch and only then commits it at the source.
/// A failed write is retried with backoff and never skipped; on shutdown what was read is still stored.
/// While the engine writes one batch, the next is read and prepared (visits tracked, rows encoded).
/// The source keeps its own connection alive meanwhile (the Kafka source polls on a thread of its own
/// and pauses full partitions), so a long ClickHouse outage does not cost the group membership.
/// </summary>
public sealed partial class Aggregator(
    IHitSource source,
    HitStore store,
    IOptions<AggregatorOptions> options,
    ILogger<Aggregator> logger) : BackgroundService
{
    private long _stored;

    /// <summary>Hits stored since start.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>
    /// Raised after each batch written to storage, with its hits and how long the write took (retries included):
    /// each batch costs the engine a part in every table its views write to, whatever its size (docs/capacity.md).
    /// </summary>
    public event Action<int, TimeSpan>? BatchWritten;

    // Set once the loop has begun, by ExecuteAsync or by a stop that came first (StopAsync).
    private int _begun;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Interlocked.Exchange(ref _begun, 1) == 0 ? RunAsync(stoppingToken) : Task.CompletedTask;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // ExecuteAsync is started through Task.Run with the stopping token (.NET 10): a stop before that task began
        // cancels it unrun, and nothing would store what the source holds (a host restarted and stopped at once).
        if (Interlocked.Exchange(ref _begun, 1) == 0)
        {
            using var stopped = new CancellationTokenSource();
            await stopped.CancelAsync();
            await RunAsync(stopped.Token).WaitAsync(cancellationToken);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        if (source.IsSoleReader && store.ResumesOpenVisits)
        {
            // Not cut short by a stop: what the source holds is stored below even then, and its hits must continue
            // the visits stored open (a host killed, restarted and stopped at once stored nothing otherwise).
            await ResumeOpenVisitsAsync();
        }
        // One batch is written while the next is read and prepared: the engine's work and ours overlap.
        // Batches are still stored and committed one after the other, in the order they were read.
        var writing = Task.CompletedTask;
        while (!stoppingToken.IsCancellationRequested)
        {
            var batch = await source.ReadBatchAsync(settings.BatchSize, settings.FlushInterval, stoppingToken);
            // A batch of only poison messages has no hits but still has offsets to commit.
            if (batch.Count == 0 && batch.Position is null)
            {
                if (source.IsCompleted)
                {
                    await writing;
                    return;
                }
                continue;
            }
            var write = await PrepareAsync(batch, settings);
            await writing;
            writing = StoreAsync(batch, write, settings);
        }
        await writing;

        // Stopping: the web server has stopped taking hits; store what is still queued.
        for (var batch = await source.ReadBatchAsync(settings.BatchSize, TimeSpan.Zero, stoppingToken);
             batch.Count > 0 || batch.Position is not null;
             batch = await source.ReadBatchAsync(settings.BatchSize, TimeSpan.Zero, stoppingToken))
        {
            await StoreAsync(batch, await PrepareAsync(batch, settings), settings);
        }
        Log.Drained(logger, Stored);
    }

    /// <summary>Continues the visits open when the process stopped; without them (storage failing), a restart cuts those visits in two.</summary>
    private async Task ResumeOpenVisitsAsync()
    {
        try
        {
            Log.Resumed(logger, await store.ResumeOpenVisitsAsync(CancellationToken.None));
        }
        catch (Exception ex)
        {
            // Nothing cancels this step now, so any failure, a cancellation-shaped one too, is storage failing: log it and go on.
            Log.ResumeFailed(logger, ex);
        }
    }

    /// <summary>Lets the source record the batch, then tracks and encodes it; null when there is nothing to write.</summary>
    private Task<PreparedWrite?> PrepareAsync(HitBatch batch, AggregatorOptions settings) =>
        WithRetriesAsync(batch, settings, async () =>
        {
            await source.PrepareAsync(batch, CancellationToken.None);
            return await store.PrepareAsync(batch, CancellationToken.None);
        });

    private async Task StoreAsync(HitBatch batch, PreparedWrite? write, AggregatorOptions settings)
    {
        if (write is not null)
        {
            Func<WriteStep, Task>? afterStep = settings.FaultPauseAfterVisits > TimeSpan.Zero || settings.FaultPauseAfterHits > TimeSpan.Zero
                ? step => PauseAfterAsync(batch, step, settings)
                : null;
            var started = Stopwatch.GetTimestamp();
            await WithRetriesAsync(batch, settings, async () =>
            {
                await store.WriteAsync(write, CancellationToken.None, afterStep);
                return true;
            });
            BatchWritten?.Invoke(batch.Count, Stopwatch.GetElapsedTime(started));
        }
        if (settings.FaultPauseAfterStore > TimeSpan.Zero)
        {
            Log.PausedAfterStore(logger, batch.Count, settings.FaultPauseAfterStore);
            await Task.Delay(settings.FaultPauseAfterStore, CancellationToken.None);
        }
        await source.CommitAsync(batch, CancellationToken.None);
        Interlocked.Add(ref _stored, batch.Count);
        Log.Stored(logger, batch.Count);
    }

    private Task PauseAfterAsync(HitBatch batch, WriteStep step, AggregatorOptions settings)
    {
        var pause = step == WriteStep.Visits ? settings.FaultPauseAfterVisits : settings.FaultPauseAfterHits;
        if (pause <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }
        if (step == WriteStep.Visits)
        {
            Log.PausedAfterVisits(logger, batch.Count, pause);
        }
        else
        {
            Log.PausedAfterHits(logger, batch.Count, pause);
        }
        return Task.Delay(pause, CancellationToken.None);
    }

    /// <summary>Retries with backoff until the step succeeds, even while stopping: these hits were acknowledged to browsers.</summary>
    private async Task<T> WithRetriesAsync<T>(HitBatch batch, AggregatorOptions settings, Func<Task<T>> step)
    {
        var delay = settings.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await step();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.WriteFailed(logger, ex, batch.Count, attempt, delay);
                await Task.Delay(delay, CancellationToken.None);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxRetryDelay.Ticks));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Debug, "Stored a batch of {Count} hits")]
        public static partial void Stored(ILogger logger, int count);

        [LoggerMessage(2002, LogLevel.Warning, "Writing a batch of {Count} hits failed (attempt {Attempt}); retrying in {Delay}")]
        public static partial void WriteFailed(ILogger logger, Exception exception, int count, int attempt, TimeSpan delay);

        [LoggerMessage(2003, LogLevel.Information, "Aggregator stopped after storing {Count} hits")]
        public static partial void Drained(ILogger logger, long count);

        [LoggerMessage(2005, LogLevel.Information, "Continuing {Count} visits open when the aggregator last stopped")]
        public static partial void Resumed(ILogger logger, int count);

        [LoggerMessage(2006, LogLevel.Warning, "Could not read the visits open when the aggregator last stopped; a visit continued now starts anew")]
        public static partial void ResumeFailed(ILogger logger, Exception exception);

        [LoggerMessage(2007, LogLevel.Warning, "Fault injection: stored the visits of a batch of {Count} hits, pausing {Pause} before its hits (Aggregator:FaultPauseAfterVisits)")]
        public static partial void PausedAfterVisits(ILogger logger, int count, TimeSpan pause);

        [LoggerMessage(2008, LogLevel.Warning, "Fault injection: stored the hits of a batch of {Count} hits, pausing {Pause} before recording it stored (Aggregator:FaultPauseAfterHits)")]
        public static partial void PausedAfterHits(ILogger logger, int count, TimeSpan pause);

        [LoggerMessage(2004, LogLevel.Warning, "Fault injection: stored a batch of {Count} hits, pausing {Pause} before committing it (Aggregator:FaultPauseAfterStore)")]
        public static partial void PausedAfterStore(ILogger logger, int count, TimeSpan pause);
    }
}
