using System.IO.Compression;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Analytics.Pipeline.Aggregation;
using Microsoft.AspNetCore.Http;

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
    private readonly HashSet<Guid> _seenVisitors = [];
    private long _accepted;

    private LogImporter(WebApplication app, ImportClock clock)
    {
        _app = app;
        _clock = clock;
        _pipeline = app.Services.GetRequiredService<HitPipeline>();
        _aggregator = app.Services.GetRequiredService<Aggregator>();
        _metrics = app.Services.GetRequiredService<CollectorMetrics>();
        _sites = app.Services.GetRequiredService<SiteRegistry>();
    }

    /// <summary>Starts the embedded host (its data folder must not be open in another process).</summary>
    /// <param name="hostArguments">Configuration overrides, as for `analytics run` (--ClickHouse:DataPath=..., --Sites:...).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LogImporter> StartAsync(IEnumerable<string> hostArguments, CancellationToken cancellationToken)
    {
        var clock = new ImportClock();
        var app = EmbeddedHost.Build(
            // The import keeps its own checkpoint, so it needs no spool (and must not take the running host's).
            ["--Aggregator:FlushInterval=00:00:00.100", "--Transport:Kind=InProcess", .. hostArguments, "--Urls=http://127.0.0.1:0"],
            services => UseImportServices(services, clock));
        await app.StartAsync(cancellationToken);
        return new LogImporter(app, clock);
    }

    /// <summary>The line's time as the pipeline's clock, and the derived visitor placed before the hit is built.</summary>
    internal static void UseImportServices(IServiceCollection services, ImportClock clock)
    {
        services.AddSingleton<TimeProvider>(clock);
        var describe = services.ToList().FindIndex(d => d.ServiceType == typeof(IHitStep) && d.ImplementationType == typeof(DescribeStep));
        if (describe < 0)
        {
            throw new InvalidOperationException("The collector pipeline has no DescribeStep to put the imported visitor before.");
        }
        services.Insert(describe, ServiceDescriptor.Singleton<IHitStep, ImportVisitorStep>());
        // The per-client rate limit counts in real time; an import replays months in seconds, so the
        // limit would drop nearly every line of a busy address. Everything else runs as for live hits.
        foreach (var limit in services.Where(d => d.ServiceType == typeof(IHitStep) && d.ImplementationType == typeof(RateLimitStep)).ToList())
        {
            services.Remove(limit);
        }
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Imports one file (plain or .gz), resuming from its checkpoint if an earlier run was interrupted.
    /// Cancelling stops reading, stores what was read, writes the checkpoint and returns (Completed false).
    /// </summary>
    public async Task<ImportResult> ImportAsync(string file, ImportOptions options, Action<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        if (!_sites.TryGet(options.Site, out var site))
        {
            throw new ArgumentException($"Site '{options.Site}' is not registered (Sites:Sites in appsettings.json).", nameof(options));
        }
        var host = options.Host ?? site.Hosts.FirstOrDefault() ?? throw new ArgumentException($"Site '{options.Site}' has no host.", nameof(options));
        var fullPath = Path.GetFullPath(file);
        var checkpointPath = options.CheckpointPath(fullPath);
        var checkpoint = ImportCheckpoint.Load(checkpointPath, fullPath);
        var visitors = checkpoint is null ? HistoricVisitorIds.WithNewSecret() : new HistoricVisitorIds(Convert.FromBase64String(checkpoint.Secret));
        var result = new ImportResult(fullPath) { ResumedAt = checkpoint?.Lines ?? 0 };
        var droppedBefore = Enum.GetValues<DropReason>().ToDictionary(r => r, r => _metrics.RejectedCount(r));

        await using var fileStream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        await using Stream stream = fullPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(fileStream, CompressionMode.Decompress)
            : fileStream;
        using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true);
        long lineNumber = 0;
        while (lineNumber < result.ResumedAt && await reader.ReadLineAsync(CancellationToken.None) is not null)
        {
            lineNumber++;
        }

        var interrupted = false;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }
            var line = await reader.ReadLineAsync(CancellationToken.None);
            if (line is null)
            {
                break;
            }
            lineNumber++;
            result.Lines++;
            await ImportLineAsync(line, lineNumber, options.Scheme, host, site.Id, visitors, result);
            if (result.Lines % ProgressEvery == 0)
            {
                progress?.Invoke(new ImportProgress(fullPath, fileStream.Position, fileStream.Length, lineNumber, result.Imported));
            }
            if (result.Lines % options.CheckpointEvery == 0)
            {
                await WaitUntilStoredAsync();
                new ImportCheckpoint { File = fullPath, Lines = lineNumber, Secret = Convert.ToBase64String(visitors.Secret) }.Save(checkpointPath);
            }
        }

        await WaitUntilStoredAsync();
        if (interrupted)
        {
            new ImportCheckpoint { File = fullPath, Lines = lineNumber, Secret = Convert.ToBase64String(visitors.Secret) }.Save(checkpointPath);
        }
        else
        {
            // Done: the checkpoint, and with it the only copy of the visitor secret, goes.
            File.Delete(checkpointPath);
            result.Completed = true;
        }
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            var dropped = (long)(_metrics.RejectedCount(reason) - droppedBefore[reason]);
            if (dropped > 0)
            {
                result.Dropped[reason] = dropped;
            }
        }
        progress?.Invoke(new ImportProgress(fullPath, fileStream.Length, fileStream.Length, lineNumber, result.Imported));
        return result;
    }

    private async Task ImportLineAsync(string line, long lineNumber, string scheme, string host, string siteId, HistoricVisitorIds visitors, ImportResult result)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        if (!CombinedLogParser.TryParse(line, out var entry))
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
            if (await _pipeline.ProcessAsync(http, parameters) is not null)
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

    /// <summary>Waits until the aggregator has stored every hit the pipeline accepted so far.</summary>
    private async Task WaitUntilStoredAsync()
    {
        while (_aggregator.Stored < _accepted)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>Stops the host: whatever is still queued is stored first.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
