using System.Collections.Frozen;
using System.Text.Json;
using Analytics.Pipeline.Sites;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Analytics.Collector.Sites;

/// <summary>
/// The registered sites, from configuration or from the file named by Sites:File, followed without a
/// restart. A bad edit to the file keeps the sites that were loaded (and logs why); a bad file at start
/// fails the start.
/// </summary>
public sealed partial class SiteRegistry : ISiteSettings, IDisposable
{
    private static readonly JsonSerializerOptions FileJson = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly ILogger<SiteRegistry> _logger;
    private readonly PhysicalFileProvider? _files;
    private readonly IDisposable? _watch;
    private volatile Snapshot _snapshot = Snapshot.Empty;

    public SiteRegistry(IOptionsMonitor<SitesOptions> options, ILogger<SiteRegistry> logger)
    {
        _logger = logger;
        var file = options.CurrentValue.File;
        if (string.IsNullOrEmpty(file))
        {
            Load(options.CurrentValue);
            _watch = options.OnChange(o => Reload(() => o));
            return;
        }
        var path = Path.GetFullPath(file);
        Load(ReadFile(path));
        _files = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
        var name = Path.GetFileName(path);
        _watch = ChangeToken.OnChange(() => _files.Watch(name), () => Reload(() => ReadFile(path)));
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
        _watch?.Dispose();
        _files?.Dispose();
    }

    private void Reload(Func<SitesOptions> read)
    {
        try
        {
            Load(read());
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

    private static SitesOptions ReadFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return JsonSerializer.Deserialize<SitesOptions>(stream, FileJson)
            ?? throw new JsonException($"{path} holds no sites.");
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
    }
}
