using System.Net;
using MaxMind.Db;
using MaxMind.GeoIP2;
using MaxMind.GeoIP2.Responses;

namespace Analytics.Collector.Enrichment.Geo;

/// <summary>One opened MaxMind City or Country database, read wholly into memory (so the file can be replaced underneath).</summary>
internal sealed class GeoDatabase
{
    /// <summary>Looked up once on open: a database that fails on these is corrupt, and is refused before it serves a request.</summary>
    private static readonly IPAddress[] Probes =
        [IPAddress.Parse("1.1.1.1"), IPAddress.Parse("81.2.69.160"), IPAddress.Parse("216.160.83.56"), IPAddress.Parse("2001:218::1"), IPAddress.Parse("2a02:ff80::1")];

    private readonly DatabaseReader _reader;
    private readonly bool _hasCities;

    private GeoDatabase(DatabaseReader reader, bool hasCities, FileStamp stamp)
    {
        _reader = reader;
        _hasCities = hasCities;
        Stamp = stamp;
    }

    public FileStamp Stamp { get; }

    public string DatabaseType => _reader.Metadata.DatabaseType;

    public DateTime BuildDate => _reader.Metadata.BuildDate;

    public static GeoDatabase Open(string path)
    {
        var stamp = FileStamp.Of(path) ?? throw new GeoDatabaseException(
            $"Geo database not found at '{path}'. Run scripts/deps.sh, point Enrichment:Geo:DatabasePath at a MaxMind City or Country database, "
            + "or set Enrichment:Geo:ContinueWithoutDatabase=true to start without geo.");
        DatabaseReader reader;
        try
        {
            reader = new DatabaseReader(path, FileAccessMode.Memory);
        }
        catch (Exception e) when (e is InvalidDatabaseException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            throw new GeoDatabaseException($"Geo database '{path}' cannot be read as a MaxMind database: {e.Message}", e);
        }
        var type = reader.Metadata.DatabaseType ?? "";
        var hasCities = type.Contains("City", StringComparison.OrdinalIgnoreCase) || type.Contains("Enterprise", StringComparison.OrdinalIgnoreCase);
        if (!hasCities && !type.Contains("Country", StringComparison.OrdinalIgnoreCase))
        {
            reader.Dispose();
            throw new GeoDatabaseException($"Geo database '{path}' is a '{type}' database; a City or Country database is needed.");
        }
        var database = new GeoDatabase(reader, hasCities, stamp);
        try
        {
            foreach (var probe in Probes)
            {
                database.Lookup(probe);
            }
        }
        catch (Exception e) when (IsCorruption(e))
        {
            reader.Dispose();
            throw new GeoDatabaseException($"Geo database '{path}' is corrupt: {e.Message}", e);
        }
        return database;
    }

    /// <summary>Errors a damaged database raises while searching or decoding.</summary>
    public static bool IsCorruption(Exception e) =>
        e is InvalidDatabaseException or DeserializationException or InvalidOperationException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException;

    /// <summary>Throws on a damaged database (see <see cref="IsCorruption"/>).</summary>
    public GeoLocation Lookup(IPAddress address)
    {
        if (_hasCities)
        {
            return _reader.TryCity(address, out var city) && city is not null ? From(city, city.City.Name) : GeoLocation.Unknown;
        }
        return _reader.TryCountry(address, out var country) && country is not null ? From(country, null) : GeoLocation.Unknown;
    }

    private static GeoLocation From(AbstractCountryResponse response, string? city)
    {
        var country = response.Country.IsoCode ?? "";
        var subdivision = (response as CityResponse)?.Subdivisions is { Count: > 0 } subdivisions ? subdivisions[0].IsoCode : null;
        var region = country.Length > 0 && !string.IsNullOrEmpty(subdivision) ? country + "-" + subdivision : "";
        return country.Length == 0 && region.Length == 0 && string.IsNullOrEmpty(city)
            ? GeoLocation.Unknown
            : new GeoLocation(country, region, city ?? "");
    }
}

/// <summary>What identifies one version of a file: its size and last write time.</summary>
internal readonly record struct FileStamp(long Length, DateTime LastWriteUtc)
{
    public static FileStamp? Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc) : null;
    }
}
