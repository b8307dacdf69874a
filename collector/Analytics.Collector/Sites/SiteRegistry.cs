using System.Collections.Frozen;
using System.Text.Json;
using Analytics.Pipeline.Sites;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Analytics.Collector.Sites;

/// <summary>
/// The registered sites, followed without a restart: the managed registry file (Sites:StorePath, changed by
/// `analytics site` and the admin API) once it exists, else the seed (the file named by Sites:File, else the
/// sites in configuration). A bad edit keeps the sites that were loaded (and logs why); a bad list at start
/// fails the start.
/// </summary>
public sealed partial class SiteRegistry : ISiteSettings, IDisposable
{
    private readonly ILogger<SiteRegistry> _logger;
    private readonly IOptionsMonitor<SitesOptions> _options;
    private readonly PhysicalFileProvider? _files;
    private readonly FileSystemWatcher? _store;
    private readonly IDisposable? _watch;
    private readonly Lock _reloading = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    public SiteRegistry(IOptionsMonitor<SitesOptions> options, ILogger<SiteRegistry> logger)
    {
        _logger = logger;
        _options = options;
        var configured = options.CurrentValue;
        Load(SitesFile.Current(configured));
        if (configured.StorePath is { Length: > 0 } storePath)
        {
            var store = Path.GetFullPath(storePath);
            if (File.Exists(store) && configured.File.Length > 0 && Path.GetFullPath(configured.File) != store)
            {
                Log.SeedIgnored(_logger, store);
            }
            // Only the registry's own folder is watched (not its subfolders: the data folder holds the engine's files).
            var folder = Path.GetDirectoryName(store)!;
            Directory.CreateDirectory(folder);
            var name = Path.GetFileName(store);
            _store = new FileSystemWatcher(folder) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            void Changed(object sender, FileSystemEventArgs e)
            {
                if (e.Name == name)
                {
                    Reload();
                }
            }
            _store.Changed += Changed;
            _store.Created += Changed;
            _store.Renamed += Changed;
            _store.EnableRaisingEvents = true;
        }
        if (configured.File is { Length: > 0 } file)
        {
            var path = Path.GetFullPath(file);
            _files = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
            var seedName = Path.GetFileName(path);
            _watch = ChangeToken.OnChange(() => _files.Watch(seedName), Reload);
        }
        else
        {
            _watch = options.OnChange(_ => Reload());
        }
    }

    public bool TryGet(string id, out Site site) => _snapshot.Sites.TryGetValue(id, out site!);

    public IEnumerable<Site> All => _snapshot.Sites.Values;

    SiteSettings? ISiteSettings.Find(string siteId) => TryGet(siteId, out var site) ? site.Settings : null;

    IEnumerable<SiteSettings> ISiteSettings.All => _snapshot.Sites.Values.Select(s => s.Settings);

    /// <summary>Edits refused since start (the previous list stayed in force).</summary>
    public int FailedReloads => _failedReloads;

    private int _failedReloads;

    /// <summary>True when some registered site lists the host (for CORS, which knows no site yet).</summary>
    public bool IsRegisteredHost(ReadOnlySpan<char> host) => _snapshot.HostLookup.Contains(host);

    public void Dispose()
    {
        _store?.Dispose();
        _watch?.Dispose();
        _files?.Dispose();
    }

    /// <summary>Reads the sites in force again now (a managed change in this process calls it, so it applies at once).</summary>
    public void Reload()
    {
        try
        {
            lock (_reloading)
            {
                Load(SitesFile.Current(_options.CurrentValue));
            }
            Log.Reloaded(_logger, _snapshot.Sites.Count);
        }
        catch (Exception e) when (e is IOException or JsonException or OptionsValidationException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _failedReloads);
            Log.ReloadFailed(_logger, e.Message);
        }
    }

    private void Load(SitesOptions options)
    {
        var problems = options.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(SitesOptions.Section, typeof(SitesOptions), problems);
        }
        var sites = options.Sites.ToFrozenDictionary(s => s.Id, Site.From, StringComparer.Ordinal);
        var hosts = sites.Values.SelectMany(s => s.Hosts).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _snapshot = new Snapshot(sites, hosts);
    }

    private sealed record Snapshot(FrozenDictionary<string, Site> Sites, FrozenSet<string> Hosts)
    {
        public static readonly Snapshot Empty = new(FrozenDictionary<string, Site>.Empty, Array.Empty<string>().ToFrozenSet(StringComparer.OrdinalIgnoreCase));

        public FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> HostLookup { get; } = Hosts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static partial class Log
    {
        [LoggerMessage(3101, LogLevel.Information, "Sites reloaded: {Count} registered")]
        public static partial void Reloaded(ILogger logger, int count);

        [LoggerMessage(3102, LogLevel.Error, "Sites not reloaded, the previous list stays in force: {Problem}")]
        public static partial void ReloadFailed(ILogger logger, string problem);

        [LoggerMessage(3103, LogLevel.Warning, "The managed sites registry {Path} is in force; the seed file (Sites:File) is not read")]
        public static partial void SeedIgnored(ILogger logger, string path);
    }
}
