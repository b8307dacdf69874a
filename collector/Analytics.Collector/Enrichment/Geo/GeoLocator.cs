using System.Net;
using Analytics.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Enrichment.Geo;

/// <summary>
/// Country, region and city of an address from a MaxMind database. Never throws on a lookup: an
/// unlocatable address, a disabled or damaged database all answer <see cref="GeoLocation.Unknown"/>.
/// The database file is checked every <see cref="GeoOptions.ReloadCheckInterval"/> and reloaded when it
/// was replaced; a replacement that cannot be read is refused and the current database kept.
/// </summary>
public sealed partial class GeoLocator : IDisposable
{
    private readonly GeoOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private volatile State? _state;
    private FileStamp? _refused;
    private Timer? _timer;

    public GeoLocator(IOptions<GeoOptions> options, ILogger<GeoLocator> logger)
    {
        _options = options.Value;
        _logger = logger;
        DatabasePath = string.IsNullOrEmpty(_options.DatabasePath) ? DependencyCache.PathOf("geoip/GeoLite2-City.mmdb") : Path.GetFullPath(_options.DatabasePath);
    }

    public string DatabasePath { get; }

    /// <summary>A database is loaded and answering.</summary>
    public bool IsEnabled => _state is not null;

    /// <summary>
    /// Opens the database; throws <see cref="GeoDatabaseException"/> when it cannot, unless
    /// <see cref="GeoOptions.ContinueWithoutDatabase"/> is set (then geo stays off until a readable file appears).
    /// </summary>
    public void Start()
    {
        if (!_options.Enabled)
        {
            Log.Disabled(_logger);
            return;
        }
        try
        {
            Swap(GeoDatabase.Open(DatabasePath));
        }
        catch (GeoDatabaseException e) when (_options.ContinueWithoutDatabase)
        {
            Log.StartingWithoutGeo(_logger, e.Message);
            _refused = FileStamp.Of(DatabasePath);
        }
        _timer = new Timer(_ => CheckInBackground(), null, _options.ReloadCheckInterval, _options.ReloadCheckInterval);
    }

    public GeoLocation Locate(IPAddress? address)
    {
        var state = _state;
        if (state is null || address is null || !AddressScope.IsPublic(address))
        {
            return GeoLocation.Unknown;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return state.Cache is null ? state.Lookup(address) : state.Cache.GetOrAdd(address, state.Lookup);
    }

    /// <summary>Reloads the database if its file changed; true when a new one was taken.</summary>
    public bool CheckForReplacement()
    {
        lock (_reloadLock)
        {
            var stamp = FileStamp.Of(DatabasePath);
            if (stamp is null || stamp == _state?.Database.Stamp || stamp == _refused)
            {
                return false;
            }
            try
            {
                Swap(GeoDatabase.Open(DatabasePath));
                _refused = null;
                return true;
            }
            catch (GeoDatabaseException e)
            {
                // Possibly a copy still being written: refused for now, tried again when the file changes.
                _refused = stamp;
                Log.ReplacementRefused(_logger, e.Message);
                return false;
            }
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void CheckInBackground()
    {
        try
        {
            CheckForReplacement();
        }
        catch (Exception e)
        {
            // A timer callback that throws would end the process; an unexpected failure here must not.
            Log.ReplacementCheckFailed(_logger, e.GetType().Name, e.Message);
        }
    }

    private void Swap(GeoDatabase database)
    {
        // The old reader holds only managed memory; requests still using it finish, then the GC takes it.
        _state = new State(database, _options.CacheSize > 0 ? new LruCache<IPAddress, GeoLocation>(_options.CacheSize) : null, this);
        Log.Loaded(_logger, DatabasePath, database.DatabaseType, database.BuildDate);
    }

    private GeoLocation Lookup(GeoDatabase database, IPAddress address)
    {
        try
        {
            return database.Lookup(address);
        }
        catch (Exception e) when (GeoDatabase.IsCorruption(e))
        {
            Log.LookupFailed(_logger, e.GetType().Name);
            return GeoLocation.Unknown;
        }
    }

    /// <summary>One loaded database with its own cache, swapped whole on reload.</summary>
    private sealed class State
    {
        public State(GeoDatabase database, LruCache<IPAddress, GeoLocation>? cache, GeoLocator owner)
        {
            Database = database;
            Cache = cache;
            Lookup = address => owner.Lookup(database, address);
        }

        public GeoDatabase Database { get; }

        public LruCache<IPAddress, GeoLocation>? Cache { get; }

        public Func<IPAddress, GeoLocation> Lookup { get; }
    }

    private static partial class Log
    {
        [LoggerMessage(4101, LogLevel.Information, "Geo database {Path} loaded ({Type}, built {BuildDate:yyyy-MM-dd})")]
        public static partial void Loaded(ILogger logger, string path, string type, DateTime buildDate);

        [LoggerMessage(4102, LogLevel.Warning, "Starting with geo disabled: {Reason}")]
        public static partial void StartingWithoutGeo(ILogger logger, string reason);

        [LoggerMessage(4103, LogLevel.Warning, "Kept the current geo database; its replacement was refused: {Reason}")]
        public static partial void ReplacementRefused(ILogger logger, string reason);

        [LoggerMessage(4104, LogLevel.Warning, "A geo lookup failed on a damaged database ({Error}); answered unknown")]
        public static partial void LookupFailed(ILogger logger, string error);

        [LoggerMessage(4106, LogLevel.Warning, "Checking the geo database for replacement failed ({Error}: {Reason}); will check again")]
        public static partial void ReplacementCheckFailed(ILogger logger, string error, string reason);

        [LoggerMessage(4105, LogLevel.Information, "Geo lookup is disabled by configuration (Enrichment:Geo:Enabled)")]
        public static partial void Disabled(ILogger logger);
    }
}
