using Analytics.Collector;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Analytics.Pipeline;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Import;

/// <summary>
/// Imports access logs through the same steps and storage as live beacons: the embedded host is built as
/// for `analytics run`, each pageview line turned into a synthetic beacon request (the line's IP for geo,
/// its user-agent and referrer, its time) and run through the collector's steps (<see cref="ImportHitBuilder"/>),
/// then stored in large batches straight through the store the aggregator uses (<see cref="ImportBatchWriter"/>:
/// hit IDs checked, visits tracked, every rollup filled). Only the IDs differ: the visitor is derived, since
/// no cookie ever existed, and each line's hit ID too, so a line read again after a crash is stored once.
/// </summary>
public sealed class LogImporter : IAsyncDisposable
{
    private const int ProgressEvery = 1000;

    private readonly WebApplication _app;
    private readonly ImportHitBuilder _hits;
    private readonly HitStore _store;
    private readonly CollectorMetrics _metrics;
    private readonly SiteRegistry _sites;
    private readonly RetentionOptions _retention;
    private readonly ImportLedger _ledger;
    private readonly ImportDaySecrets _daySecrets;

    // The recent days' secrets earlier runs kept, by site, read once per run: the run derives those days' visitors with them.
    private readonly Dictionary<string, Dictionary<DateOnly, byte[]>> _keptDaySecrets = [];

    // Fires when the host is stopping, so that no wait of the import outlives storage: neither the wait
    // for room for the next batch nor the wait for the batches before a checkpoint to be stored.
    private readonly CancellationTokenSource _storageGone = new();

    // The visitor secret of this run: every file of one command derives its visitors with it, so a visitor whose day
    // is split between two rotated files is one visitor, and a visit across the split one visit.
    private byte[]? _runSecret;

    private LogImporter(WebApplication app)
    {
        _app = app;
        _hits = new ImportHitBuilder(app.Services.GetRequiredService<HitPipeline>(), app.Services.GetRequiredService<ClientAddress>());
        _store = app.Services.GetRequiredService<HitStore>();
        _metrics = app.Services.GetRequiredService<CollectorMetrics>();
        _sites = app.Services.GetRequiredService<SiteRegistry>();
        _retention = app.Services.GetRequiredService<IOptions<RetentionOptions>>().Value;
        _ledger = new ImportLedger(app.Services.GetRequiredService<IClickHouse>());
        _daySecrets = new ImportDaySecrets(app.Services.GetRequiredService<IClickHouse>(), app.Services.GetRequiredService<IOptions<ImportSettings>>().Value.KeepDaySecretsDays);
        app.Lifetime.ApplicationStopping.Register(_storageGone.Cancel);
    }

    /// <summary>Starts the embedded host (its data folder must not be open in another process).</summary>
    /// <param name="hostArguments">Configuration overrides, as for `analytics run` (--ClickHouse:DataPath=..., --Sites:...).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LogImporter> StartAsync(IEnumerable<string> hostArguments, CancellationToken cancellationToken)
    {
        var app = EmbeddedHost.Build(
            // Imported history keeps the raw retention counted from the day it is stored (RetentionOptions.FromStoring).
            // The import stores its batches itself and keeps its own checkpoint: the transport stays empty, so it
            // needs no spool (and must not take the running host's).
            // Its visits are the log's, so the live visits stored open are not taken back into its tracker.
            ["--Retention:FromStoring=true", "--Transport:Kind=InProcess", "--Sessions:ResumeOpenVisits=false", .. hostArguments, "--Urls=http://127.0.0.1:0"],
            UseImportServices);
        try
        {
            // Opened before the start: a data folder in use by another process is then one line (ImportCommand), not the host's failure log.
            app.Services.GetRequiredService<IClickHouse>();
            // So are settings out of range: the checks' own exception, which ImportCommand prints as one line per key.
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        await app.StartAsync(cancellationToken);
        return new LogImporter(app);
    }

    /// <summary>The import's own signal handling, and the derived visitor placed before the hit is built.</summary>
    internal static void UseImportServices(IServiceCollection services)
    {
        // SIGINT/SIGTERM belong to the import (ImportCommand): it stops reading, lets what it read be
        // stored and writes its checkpoint. The web host's console lifetime would instead stop storage
        // underneath a running import.
        services.AddSingleton<IHostLifetime, ImportLifetime>();
        services.AddOptions<ImportSettings>().BindConfiguration(ImportSettings.Section).ValidateDataAnnotations().ValidateOnStart();
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
    public Task<ImportResult> ImportAsync(string file, ImportOptions options, Action<ImportProgress>? progress, CancellationToken cancellationToken) =>
        ImportAsync([file], options, progress, cancellationToken);

    /// <summary>
    /// Imports one file as <see cref="ImportAsync(string, ImportOptions, Action{ImportProgress}?, CancellationToken)"/>
    /// does, or several logs of the same hours (the servers behind one load balancer) as one log: their lines merged
    /// in time order (<see cref="MergedLogReader"/>), so a visit whose requests alternate between the servers is one
    /// visit. The merge is imported, checkpointed and resumed as one file named after the first (its hit IDs keyed
    /// by all the files' fingerprints); once done, each file is recorded in the ledger with its own pageviews, and
    /// each may continue a finished import of itself (a log imported yesterday and grown since).
    /// </summary>
    public async Task<ImportResult> ImportAsync(IReadOnlyList<string> files, ImportOptions options, Action<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        if (!_sites.TryGet(options.Site, out var site))
        {
            throw new ImportException($"Site '{options.Site}' is not registered (./analytics site add).");
        }
        var host = options.Host ?? site.Hosts.FirstOrDefault() ?? throw new ImportException($"Site '{options.Site}' has no host.");
        // As the collector's host check reads it: the URL's host, without a port.
        if (!site.Allows(Uri.TryCreate($"{options.Scheme}://{host}/", UriKind.Absolute, out var pageUrl) ? pageUrl.Host : host))
        {
            // Every line would be dropped by the site's host check (ForeignHost) and nothing imported.
            throw new ImportException($"site '{site.Id}' does not list host {host} (it lists {string.Join(", ", site.Hosts)}): add it first, ./analytics site set {site.Id} --host {host} (naming the others too), or give --host one of those");
        }
        var paths = files.Select(Path.GetFullPath).ToList();
        // A merge is checkpointed as its first file.
        var fullPath = paths[0];
        // What the site's finished files began with: this file may be one of them, grown or rotated since.
        var earlier = options.Force ? [] : await _ledger.WithTextAsync(site.Id, cancellationToken);
        var surveys = new List<LogFile>(paths.Count);
        foreach (var path in paths)
        {
            surveys.Add(await LogFile.SurveyAsync(path, earlier.Select(e => e.Text!.Bytes), cancellationToken));
        }
        if (surveys.GroupBy(f => f.Fingerprint).FirstOrDefault(same => same.Count() > 1) is { } twice)
        {
            // Merged with itself every line would count twice.
            throw new ImportException($"{string.Join(" and ", twice.Select(f => f.Path))} hold the same bytes: merge each log once");
        }
        var survey = surveys.Count == 1 ? surveys[0] : LogFile.Merged(surveys);
        var result = new ImportResult(survey.Path) { Survey = survey };
        if (!options.Force)
        {
            var finished = new List<FinishedImport?>(surveys.Count);
            foreach (var member in surveys)
            {
                finished.Add(await _ledger.FindAsync(site.Id, member.Fingerprint, cancellationToken));
            }
            if (finished.TrueForAll(f => f is not null))
            {
                // A crash between recording the file and deleting its checkpoint leaves the checkpoint (and the
                // visitor secret in it) behind: it goes now.
                File.Delete(options.CheckpointPath(fullPath));
                result.AlreadyImported = finished[0];
                result.Completed = true;
                return result;
            }
            if (finished.FindIndex(f => f is not null) is var done and >= 0)
            {
                // Its lines are stored already, merged with nothing: merged again they would count twice.
                throw new ImportException($"{paths[done]} was imported on {finished[done]!.ImportedAt:yyyy-MM-dd HH:mm} UTC (on its own or in another merge): leave it out of this one");
            }
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
            // A merge leaves its checkpoint beside its first file: the same file imported otherwise is another import.
            throw new ImportException((checkpoint.MemberPageviews is null, paths.Count == 1) switch
            {
                (false, true) => $"{checkpointPath} was left by an interrupted --merge that begins with {fullPath}: run that merge again (the same files, in the same order) to finish it",
                (true, false) => $"{checkpointPath} was left by an interrupted import of {fullPath} alone: run that again to finish it, then merge the other files without it",
                _ => $"{survey.Path} changed since the interrupted import that left {checkpointPath}; "
                    + "delete the checkpoint to import from the start (lines already stored would count twice)",
            });
        }
        if (!_keptDaySecrets.TryGetValue(site.Id, out var daySecrets))
        {
            _keptDaySecrets[site.Id] = daySecrets = await _daySecrets.ReadAsync(site.Id, today, cancellationToken);
        }
        var ids = IdsFor(checkpoint, survey.Fingerprint, daySecrets);
        // A file that begins with the whole text of a finished one (the same log, written on or rotated and
        // compressed since) is continued after that text's lines, as if resumed there; the longest such text wins.
        // A merged file too, before the merge begins; a resumed merge starts its files there again, as the ledger
        // is written only when the merge is done.
        var continuations = surveys.Select(member => earlier.Where(e => member.TextPrefixes.GetValueOrDefault(e.Text!.Bytes) == e.Text.Sha256).MaxBy(e => e.Text!.Bytes)).ToList();
        result.ContinuedFrom = checkpoint is null && paths.Count == 1 ? continuations[0] : null;
        var (startLines, startPageviews) = checkpoint is not null ? (checkpoint.Lines, checkpoint.Pageviews)
            : result.ContinuedFrom is { Text: { } text } continued ? (text.Lines, continued.Pageviews) : (0, 0);
        result.ResumedAt = startLines;
        // A merge's lines are numbered in the merged order from its files' starts; each file's pageviews are counted for the ledger.
        var memberStarts = paths.Count == 1 ? [0L] : continuations.Select(c => c?.Text?.Lines ?? 0).ToArray();
        var memberPageviews = paths.Count == 1 ? [startPageviews] : checkpoint?.MemberPageviews is { } stored && stored.Length == paths.Count
            ? [.. stored]
            : continuations.Select(c => c?.Pageviews ?? 0).ToArray();
        if (paths.Count > 1)
        {
            result.ContinuedMembers = [.. paths.Select((path, m) => (File: path, AfterLine: memberStarts[m], Finished: continuations[m]))
                .Where(c => c.Finished is not null).Select(c => (c.File, c.AfterLine, c.Finished!))];
        }
        var droppedBefore = Enum.GetValues<DropReason>().ToDictionary(r => r, r => _metrics.RejectedCount(r));
        var writer = new ImportBatchWriter(_store);
        ImportCheckpoint At(long line, long stored, long[]? members = null) => new()
        {
            File = fullPath,
            Lines = line,
            Secret = Convert.ToBase64String(ids.Secret),
            SecretPerRun = checkpoint is null or { SecretPerRun: true },
            Fingerprint = survey.Fingerprint,
            Pageviews = startPageviews + stored,
            MemberPageviews = paths.Count == 1 ? null : members ?? memberPageviews,
        };
        if (checkpoint is null)
        {
            // The secret is on disk before the first hit is stored: a run killed before its first checkpoint
            // resumes with the same visitor and hit IDs, so what it stored is recognised, not counted twice.
            At(startLines, 0).Save(checkpointPath);
        }

        // Each merged file's line number, for the bad lines a person looks up.
        var memberLines = memberStarts.ToArray();
        await using (var source = await LogSource.OpenAsync(paths, memberStarts, result.ResumedAt))
        {
            long lineNumber = result.ResumedAt;
            long accepted = 0;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            ImportProgress Progress(long position) => new(survey.Path, position, source.Length, lineNumber, accepted)
            {
                LinesPerSecond = result.Lines / Math.Max(1e-3, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds),
            };
            var pageUrlPrefix = $"{options.Scheme}://{host}";
            var batch = new List<Hit>();

            // Hands the hits read so far to the writer as one batch; once stored, the checkpoint moves to lineNumber.
            // Batches start at a checkpoint and end at a multiple of CheckpointEvery (or the end of the file), so a
            // run resumed after a crash cuts the batch it was storing with the same lines, and the same token.
            var batchFrom = lineNumber;
            var importTag = $"import/{survey.Fingerprint[..16]}/{Convert.ToHexStringLower(System.IO.Hashing.XxHash3.Hash(ids.Secret))}";
            async ValueTask CutAsync()
            {
                var through = lineNumber;
                var members = paths.Count == 1 ? null : memberPageviews.ToArray();
                await writer.WriteAsync(batch, $"{importTag}/{batchFrom}-{through}", stored => At(through, stored, members).Save(checkpointPath), _storageGone.Token);
                batch = new List<Hit>(batch.Count);
                batchFrom = through;
            }

            try
            {
                var interrupted = false;
                // Reading and parsing run a few thousand lines ahead on a task of their own, storing a batch
                // behind on another; the lines still count one by one here, so checkpoints and progress stay exact.
                {
                    var skipped = result.ResumedAt > 0;
                    // A file resumed from its checkpoint leaves its visits as the crashed run stored them (its batches replay).
                    var visitsTakenBack = checkpoint is not null;
                    await foreach (var chunk in source.Chunks)
                    {
                        chunk.Error?.Throw();
                        if (!visitsTakenBack && chunk.Entries.FirstOrDefault(e => e is not null) is { } first)
                        {
                            // The visits an earlier run stored up to this file's first line (yesterday's import of the
                            // log, up to the line logrotate cut it at): a line that continues one grows it, derived as
                            // the same visitor with the day's kept secret, instead of starting a second visit.
                            await _store.ResumeVisitsEndedBeforeAsync(site.Id, first.Time.UtcDateTime, _storageGone.Token);
                            visitsTakenBack = true;
                        }
                        if (skipped)
                        {
                            // The lines imported before were read past, not read: the rate counts from here.
                            started = System.Diagnostics.Stopwatch.GetTimestamp();
                            skipped = false;
                            for (var m = 0; m < memberLines.Length; m++)
                            {
                                memberLines[m] += source.Skipped[m];
                            }
                        }
                        for (var i = 0; i < chunk.Lines.Count; i++)
                        {
                            if (cancellationToken.IsCancellationRequested)
                            {
                                interrupted = true;
                                break;
                            }
                            lineNumber++;
                            result.Lines++;
                            var member = chunk.Members?[i] ?? 0;
                            memberLines[member]++;
                            if (ImportLine(chunk.Lines[i], chunk.Entries[i], lineNumber, pageUrlPrefix, site.Id, ids, result) is { } hit)
                            {
                                batch.Add(hit);
                                accepted++;
                                memberPageviews[member]++;
                            }
                            else if (paths.Count > 1 && result.FirstBadLines.Count > result.FirstBadLineFiles.Count)
                            {
                                // A merge's bad line by its own file and line number.
                                result.FirstBadLines[^1] = memberLines[member];
                                result.FirstBadLineFiles.Add(paths[member]);
                            }
                            if (result.Lines % ProgressEvery == 0)
                            {
                                progress?.Invoke(Progress(chunk.Position));
                            }
                            if (result.Lines % options.CheckpointEvery == 0)
                            {
                                await CutAsync();
                            }
                        }
                        if (interrupted)
                        {
                            break;
                        }
                    }
                    // A cancellation right after the last line still ends the file completely.
                }

                // The lines since the last batch (none, when the file ends on a checkpoint: the checkpoint still moves).
                await CutAsync();
                await writer.CompleteAsync();
                result.Elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                result.Imported = writer.Stored;
                result.AlreadyStored = writer.Duplicates;
                if (!interrupted)
                {
                    // Recorded before the checkpoint goes: a crash in between leaves a checkpoint at the
                    // end of a file the ledger already knows, and the next run skips the file. A file that
                    // stored nothing is not: once the site's settings are fixed, the same command imports it.
                    // The recent days this file's visitors were first derived for keep the secret, for the next run to
                    // derive them alike (a log cut within one of them is continued tomorrow); before the ledger, so
                    // that a crash in between resumes and keeps them.
                    foreach (var day in await _daySecrets.KeepAsync(site.Id, ids.OwnSecretDays, ids.Secret, today, CancellationToken.None))
                    {
                        daySecrets[day] = ids.Secret;
                    }
                    // Each file with its own pageviews (every run's): importing one of a merge again, alone or merged, is then a no-op or refused.
                    for (var m = 0; m < paths.Count; m++)
                    {
                        if (memberPageviews[m] > 0)
                        {
                            await _ledger.RecordAsync(site.Id, surveys[m], memberPageviews[m], CancellationToken.None);
                            result.Recorded = true;
                        }
                    }
                    // Done: the checkpoint, and with it the run's secret for any day older than the kept ones, goes.
                    File.Delete(checkpointPath);
                    result.Completed = true;
                }
            }
            catch (InvalidDataException ex)
            {
                await StopWriterAsync(writer);
                throw new ImportException($"{fullPath}: corrupt gzip data after line {lineNumber:N0} ({ex.Message}); the checkpoint stays at its last stored line", ex);
            }
            catch (OperationCanceledException) when (_storageGone.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                await StopWriterAsync(writer);
                throw StorageStopped(checkpointPath);
            }
            catch (Exception ex) when (ex is ClickHouseException or IOException)
            {
                await StopWriterAsync(writer);
                throw new ImportException($"{fullPath}: storing failed after line {lineNumber:N0} ({ex.Message}); the checkpoint stays at its last stored line: run the same command again to resume", ex);
            }
            foreach (var reason in Enum.GetValues<DropReason>())
            {
                var dropped = (long)(_metrics.RejectedCount(reason) - droppedBefore[reason]);
                if (dropped > 0)
                {
                    result.Dropped[reason] = dropped;
                }
            }
            progress?.Invoke(Progress(source.Length));
        }
        return result;
    }

    /// <summary>
    /// The IDs of a file: its checkpoint's (a resumed file derives what it stored before), else the run's. A run
    /// resumed after an interruption takes its secret from the checkpoint of the file it was in, before the files
    /// it had not reached; the files it had finished are in the ledger and not read again. A recent day an earlier
    /// run kept its secret for (<paramref name="daySecrets"/>) is derived with that one.
    /// </summary>
    private HistoricVisitorIds IdsFor(ImportCheckpoint? checkpoint, string fingerprint, IReadOnlyDictionary<DateOnly, byte[]> daySecrets)
    {
        if (checkpoint is { SecretPerRun: false })
        {
            // Written by an older version: the file's own secret, which keyed its hit IDs alone.
            return new HistoricVisitorIds(Convert.FromBase64String(checkpoint.Secret));
        }
        var secret = checkpoint is null ? _runSecret ??= HistoricVisitorIds.WithNewSecret().Secret : Convert.FromBase64String(checkpoint.Secret);
        _runSecret ??= secret;
        return new HistoricVisitorIds(secret, daySecrets: daySecrets).ForFile(fingerprint);
    }

    /// <summary>On an error: lets the batches already queued finish (their checkpoints are right), ignoring a failure among them.</summary>
    private static async Task StopWriterAsync(ImportBatchWriter writer)
    {
        try
        {
            await writer.CompleteAsync();
        }
        catch (Exception ex) when (ex is ClickHouseException or IOException or OperationCanceledException)
        {
            // The error being reported already says that storing stopped.
        }
    }

    private static ImportException StorageStopped(string checkpointPath) =>
        new($"storage stopped taking hits (the host is stopping); {(File.Exists(checkpointPath) ? "the checkpoint stays at its last stored line" : "no checkpoint was written yet")}: run the same command again to resume");

    /// <summary>One line: counted as bad or skipped, or run through the collector's steps as a pageview. <paramref name="entry"/> is the line parsed by <see cref="ParsedLogReader"/> (null when blank or unparsable).</summary>
    private Hit? ImportLine(string line, LogEntry? entry, long lineNumber, string pageUrlPrefix, string siteId, HistoricVisitorIds ids, ImportResult result)
    {
        if (entry is null)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                result.BadLines++;
                if (result.FirstBadLines.Count < 10)
                {
                    result.FirstBadLines.Add(lineNumber);
                }
            }
            return null;
        }
        if (PageviewFilter.Check(entry) is { } skip)
        {
            result.Skipped[skip] = result.Skipped.GetValueOrDefault(skip) + 1;
            return null;
        }
        result.FirstPageview = result.FirstPageview is { } first && first <= entry.Time ? first : entry.Time;
        result.LastPageview = result.LastPageview is { } last && last >= entry.Time ? last : entry.Time;
        // A line that names its virtual host is that host's page: the site's host check drops another site's lines.
        var prefix = entry.VirtualHost.Length == 0 ? pageUrlPrefix : string.Concat(pageUrlPrefix.AsSpan(0, pageUrlPrefix.IndexOf("://", StringComparison.Ordinal) + 3), entry.VirtualHost);
        return _hits.Build(entry, lineNumber, prefix, siteId, ids);
    }

    /// <summary>Stops the host.</summary>
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
