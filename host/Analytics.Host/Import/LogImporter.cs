using Analytics.Collector;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Analytics.Pipeline;
using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.ClickHouse;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Import;

/// <summary>
/// Imports access logs through the same pipeline as live beacons: the embedded host is built as for
/// `analytics run`, its clock set to each line's time, each pageview line turned into a synthetic beacon
/// request (the line's IP for geo, its user-agent and referrer) and run through the collector's steps,
/// queue, aggregator and storage. Only the visitor ID differs: derived, since no cookie ever existed.
/// </summary>
public sealed class LogImporter : IAsyncDisposable
{
    private const int ProgressEvery = 1000;

    private readonly WebApplication _app;
    private readonly ImportClock _clock;
    private readonly HitPipeline _pipeline;
    private readonly Aggregator _aggregator;
    private readonly CollectorMetrics _metrics;
    private readonly SiteRegistry _sites;
    private readonly RetentionOptions _retention;
    private readonly ImportLedger _ledger;
    private readonly HashSet<Guid> _seenVisitors = [];

    // Fires when storage can no longer take hits (the aggregator ended or the host is stopping), so
    // that no wait of the import outlives it: neither the hand-off to a full queue nor the wait for
    // the hits before a checkpoint to be stored.
    private readonly CancellationTokenSource _storageGone = new();
    private long _accepted;

    private LogImporter(WebApplication app, ImportClock clock)
    {
        _app = app;
        _clock = clock;
        _pipeline = app.Services.GetRequiredService<HitPipeline>();
        _aggregator = app.Services.GetRequiredService<Aggregator>();
        _metrics = app.Services.GetRequiredService<CollectorMetrics>();
        _sites = app.Services.GetRequiredService<SiteRegistry>();
        _retention = app.Services.GetRequiredService<IOptions<RetentionOptions>>().Value;
        _ledger = new ImportLedger(app.Services.GetRequiredService<IClickHouse>());
        app.Lifetime.ApplicationStopping.Register(_storageGone.Cancel);
        _aggregator.ExecuteTask?.ContinueWith(_ => _storageGone.Cancel(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Starts the embedded host (its data folder must not be open in another process).</summary>
    /// <param name="hostArguments">Configuration overrides, as for `analytics run` (--ClickHouse:DataPath=..., --Sites:...).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LogImporter> StartAsync(IEnumerable<string> hostArguments, CancellationToken cancellationToken)
    {
        var clock = new ImportClock();
        var app = EmbeddedHost.Build(
            // Imported history keeps the raw retention counted from the day it is stored (RetentionOptions.FromStoring).
            // The import keeps its own checkpoint, so it needs no spool (and must not take the running host's).
            ["--Aggregator:FlushInterval=00:00:00.100", "--Retention:FromStoring=true", "--Transport:Kind=InProcess", .. hostArguments, "--Urls=http://127.0.0.1:0"],
            services => UseImportServices(services, clock));
        await app.StartAsync(cancellationToken);
        return new LogImporter(app, clock);
    }

    /// <summary>The line's time as the pipeline's clock, and the derived visitor placed before the hit is built.</summary>
    internal static void UseImportServices(IServiceCollection services, ImportClock clock)
    {
        services.AddSingleton<TimeProvider>(clock);
        // SIGINT/SIGTERM belong to the import (ImportCommand): it stops reading, lets what it read be
        // stored and writes its checkpoint. The web host's console lifetime would instead stop storage
        // underneath a running import.
        services.AddSingleton<IHostLifetime, ImportLifetime>();
        // The derived visitor is placed before the hit is built. The per-client rate limit counts in real time;
        // an import replays months in seconds, so the limit would drop nearly every line of a busy address.
        // Everything else runs as for live hits.
        services.AddSingleton(CollectorSteps.Default.Without<RateLimitStep>().InsertBefore<DescribeStep>(typeof(ImportVisitorStep)));
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Imports one file (plain or .gz), resuming from its checkpoint if an earlier run was interrupted.
    /// The whole file is read once first: a missing, cut-off or corrupt file fails before anything is
    /// stored, and a file this store already finished for the site is not imported again (unless
    /// <see cref="ImportOptions.Force"/>). Cancelling stops reading, stores what was read, writes the
    /// checkpoint and returns (Completed false). Throws <see cref="ImportException"/> with a message for
    /// the person running it when the import cannot go on; the checkpoint then stays as it was.
    /// </summary>
    public async Task<ImportResult> ImportAsync(string file, ImportOptions options, Action<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        if (!_sites.TryGet(options.Site, out var site))
        {
            throw new ImportException($"Site '{options.Site}' is not registered (./analytics site add).");
        }
        var host = options.Host ?? site.Hosts.FirstOrDefault() ?? throw new ImportException($"Site '{options.Site}' has no host.");
        var fullPath = Path.GetFullPath(file);
        var survey = await LogFile.SurveyAsync(fullPath, cancellationToken);
        var result = new ImportResult(fullPath) { Survey = survey };
        if (!options.Force && await _ledger.FindAsync(site.Id, survey.Fingerprint, cancellationToken) is { } finished)
        {
            // A crash between recording the file and deleting its checkpoint leaves the checkpoint (and the
            // visitor secret in it) behind: it goes now.
            File.Delete(options.CheckpointPath(fullPath));
            result.AlreadyImported = finished;
            result.Completed = true;
            return result;
        }
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        result.RawKeptUntil = today.AddDays(_retention.WithSiteDefaults(_sites.All.Select(s => s.Settings)).RawDaysFor(site.Id));
        // Rollups (every figure the dashboard shows) are kept Retention:RollupDays after the day they are
        // stored, however old the history (SchemaMigrator.ApplyRollupRetentionAsync).
        result.RollupsKeptUntil = today.AddDays(_retention.RollupDays);

        var checkpointPath = options.CheckpointPath(fullPath);
        var checkpoint = ImportCheckpoint.Load(checkpointPath, fullPath);
        if (checkpoint is { Fingerprint: { } before } && before != survey.Fingerprint)
        {
            throw new ImportException(
                $"{fullPath} changed since the interrupted import that left {checkpointPath}; "
                + "delete the checkpoint to import the file from its start (lines already stored would count twice)");
        }
        var visitors = checkpoint is null ? HistoricVisitorIds.WithNewSecret() : new HistoricVisitorIds(Convert.FromBase64String(checkpoint.Secret));
        result.ResumedAt = checkpoint?.Lines ?? 0;
        var droppedBefore = Enum.GetValues<DropReason>().ToDictionary(r => r, r => _metrics.RejectedCount(r));
        ImportCheckpoint At(long line) => new() { File = fullPath, Lines = line, Secret = Convert.ToBase64String(visitors.Secret), Fingerprint = survey.Fingerprint, Pageviews = (checkpoint?.Pageviews ?? 0) + result.Imported };

        var (fileStream, stream) = LogFile.Open(fullPath);
        await using (fileStream)
        await using (stream)
        {
            using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true);
            long lineNumber = result.ResumedAt;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            ImportProgress Progress(long position) => new(fullPath, position, fileStream.Length, lineNumber, result.Imported)
            {
                LinesPerSecond = result.Lines / Math.Max(1e-3, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds),
            };
            try
            {
                var interrupted = false;
                // Reading and parsing run a few thousand lines ahead on a task of their own; the lines
                // still count one by one here, so checkpoints and progress stay exact.
                await using (var parsed = new ParsedLogReader(reader, fileStream, result.ResumedAt))
                {
                    await foreach (var chunk in parsed.Chunks)
                    {
                        chunk.Error?.Throw();
                        for (var i = 0; i < chunk.Lines.Count; i++)
                        {
                            if (cancellationToken.IsCancellationRequested)
                            {
                                interrupted = true;
                                break;
                            }
                            lineNumber++;
                            result.Lines++;
                            await ImportLineAsync(chunk.Lines[i], chunk.Entries[i], lineNumber, options.Scheme, host, site.Id, visitors, result);
                            if (result.Lines % ProgressEvery == 0)
                            {
                                progress?.Invoke(Progress(chunk.Position));
                            }
                            if (result.Lines % options.CheckpointEvery == 0)
                            {
                                await WaitUntilStoredAsync();
                                At(lineNumber).Save(checkpointPath);
                            }
                        }
                        if (interrupted)
                        {
                            break;
                        }
                    }
                    // A cancellation right after the last line still ends the file completely.
                }

                await WaitUntilStoredAsync();
                result.Elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                if (interrupted)
                {
                    At(lineNumber).Save(checkpointPath);
                }
                else
                {
                    // Recorded before the checkpoint goes: a crash in between leaves a checkpoint at the
                    // end of a file the ledger already knows, and the next run skips the file.
                    await _ledger.RecordAsync(site.Id, survey, (checkpoint is null ? 0 : checkpoint.Pageviews) + result.Imported, CancellationToken.None);
                    // Done: the checkpoint, and with it the only copy of the visitor secret, goes.
                    File.Delete(checkpointPath);
                    result.Completed = true;
                }
            }
            catch (InvalidDataException ex)
            {
                throw new ImportException($"{fullPath}: corrupt gzip data after line {lineNumber:N0} ({ex.Message}); the checkpoint stays as it was", ex);
            }
            catch (OperationCanceledException) when (_storageGone.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw StorageStopped(checkpointPath);
            }
            foreach (var reason in Enum.GetValues<DropReason>())
            {
                var dropped = (long)(_metrics.RejectedCount(reason) - droppedBefore[reason]);
                if (dropped > 0)
                {
                    result.Dropped[reason] = dropped;
                }
            }
            progress?.Invoke(Progress(fileStream.Length));
        }
        return result;
    }

    private ImportException StorageStopped(string checkpointPath)
    {
        var reason = _aggregator.ExecuteTask is { IsFaulted: true } faulted ? faulted.Exception!.GetBaseException().Message : "the host is stopping";
        return new ImportException(
            $"storage stopped taking hits ({reason}); {(File.Exists(checkpointPath) ? "the checkpoint stays at its last stored line" : "no checkpoint was written yet")}: run the same command again to resume");
    }

    /// <summary>One line: counted as bad or skipped, or run through the collector pipeline as a pageview. <paramref name="entry"/> is the line parsed by <see cref="ParsedLogReader"/> (null when blank or unparsable).</summary>
    private async Task ImportLineAsync(string line, LogEntry? entry, long lineNumber, string scheme, string host, string siteId, HistoricVisitorIds visitors, ImportResult result)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        if (entry is null)
        {
            result.BadLines++;
            if (result.FirstBadLines.Count < 10)
            {
                result.FirstBadLines.Add(lineNumber);
            }
            return;
        }
        if (PageviewFilter.Check(entry) is { } skip)
        {
            result.Skipped[skip] = result.Skipped.GetValueOrDefault(skip) + 1;
            return;
        }

        var visitor = visitors.For(entry);
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = entry.Ip;
        http.Request.Method = HttpMethods.Get;
        http.Request.Path = "/i.gif";
        if (entry.UserAgent.Length > 0)
        {
            http.Request.Headers.UserAgent = entry.UserAgent;
        }
        http.Items[ImportVisitorStep.ItemKey] = new ImportedVisitor(visitor, _seenVisitors.Add(visitor));
        http.Items[HitContext.ServerLogItem] = true;
        var parameters = new BeaconParameters
        {
            Site = siteId,
            Url = $"{scheme}://{host}{entry.Target}",
            Referrer = entry.Referrer,
        };
        _clock.Now = entry.Time;
        try
        {
            // No hand-off timeout: a full queue makes the import wait (it must not drop a line as
            // Overloaded); only storage going away ends the wait.
            if (await _pipeline.ProcessWithoutTimeoutAsync(http, parameters, _storageGone.Token) is not null)
            {
                result.Imported++;
                _accepted++;
            }
        }
        finally
        {
            _clock.Now = null;
        }
    }

    /// <summary>
    /// Waits until the aggregator has stored every hit the pipeline accepted so far; throws
    /// <see cref="OperationCanceledException"/> when storage stops first (it would never catch up).
    /// </summary>
    private async Task WaitUntilStoredAsync()
    {
        while (_aggregator.Stored < _accepted)
        {
            await Task.Delay(10, _storageGone.Token);
        }
    }

    /// <summary>Stops the host: whatever is still queued is stored first.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _storageGone.Dispose();
    }

    /// <summary>A host lifetime that leaves the process's signals alone (the import command handles them).</summary>
    private sealed class ImportLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
