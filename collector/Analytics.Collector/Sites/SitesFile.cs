using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Pipeline.Spool;

namespace Analytics.Collector.Sites;

/// <summary>
/// A sites file `{ "Sites": [ ... ] }`: the seed an operator writes by hand, or the managed registry. Read with
/// comments and trailing commas allowed; written whole beside the old one, fsynced, renamed over it and the
/// folder fsynced, so a reader or a crash sees the old list or the new one, never half of either.
/// </summary>
public static class SitesFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// The sites in force for <paramref name="configured"/>: the managed registry once it exists, else the seed
    /// (the Sites:File file, else the sites listed in configuration). Not validated here.
    /// </summary>
    public static SitesOptions Current(SitesOptions configured)
    {
        if (configured.StorePath is { Length: > 0 } store && System.IO.File.Exists(store))
        {
            return configured with { Sites = Read(store).Sites };
        }
        if (configured.File is { Length: > 0 } seed)
        {
            return configured with { Sites = Read(Path.GetFullPath(seed)).Sites };
        }
        return configured;
    }

    public static SitesOptions Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return JsonSerializer.Deserialize<SitesOptions>(stream, Json) ?? throw new JsonException($"{path} holds no sites.");
    }

    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="sites"/>, durably (see the class).</summary>
    public static void Write(string path, IReadOnlyList<SiteOptions> sites)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new StoredSites(sites), Json);
            stream.Flush(flushToDisk: true);
        }
        System.IO.File.Move(temporary, path, overwrite: true);
        // The rename itself must survive a power cut too.
        DirectorySync.Flush(folder);
    }

    /// <summary>The file's shape: the sites alone, without the seed's other settings.</summary>
    private sealed record StoredSites(IReadOnlyList<SiteOptions> Sites);
}
