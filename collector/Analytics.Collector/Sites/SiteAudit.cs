using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.Collector.Sites;

/// <summary>
/// One line per change of the managed registry (sites-audit.jsonl beside it): when, who (the CLI's OS user or the
/// admin API key's public id, never a key), what (add, set, remove) and each changed setting's old and new value.
/// Appended and fsynced before the change is written, so no change is in force without its line.
/// </summary>
public static class SiteAudit
{
    public const string FileName = "sites-audit.jsonl";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string PathBeside(string storePath) => Path.Combine(Path.GetDirectoryName(storePath)!, FileName);

    public static void Append(string storePath, SiteAuditEntry entry)
    {
        var line = JsonSerializer.Serialize(entry, Json) + "\n";
        using var stream = new FileStream(PathBeside(storePath), FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(line));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Every entry, oldest first.</summary>
    public static IEnumerable<SiteAuditEntry> Read(string storePath)
    {
        var path = PathBeside(storePath);
        if (!File.Exists(path))
        {
            yield break;
        }
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize<SiteAuditEntry>(line, Json)!;
            }
        }
    }

    /// <summary>The settings that differ between <paramref name="before"/> and <paramref name="after"/>, as [old, new].</summary>
    public static Dictionary<string, object?[]> Changes(SiteOptions? before, SiteOptions? after)
    {
        var changes = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        void Compare<T>(string name, Func<SiteOptions, T> read, Func<T, T, bool> same)
        {
            if (before is null || after is null || !same(read(before), read(after)))
            {
                changes[name] = [before is null ? null : read(before), after is null ? null : read(after)];
            }
        }
        Compare(nameof(SiteOptions.Hosts), s => s.Hosts, (a, b) => a.SequenceEqual(b));
        Compare(nameof(SiteOptions.TimeZone), s => s.TimeZone, string.Equals);
        Compare(nameof(SiteOptions.ConsentMode), s => s.ConsentMode, (a, b) => a == b);
        Compare(nameof(SiteOptions.RetentionDays), s => s.RetentionDays, (a, b) => a == b);
        Compare(nameof(SiteOptions.KThreshold), s => s.KThreshold, (a, b) => a == b);
        Compare(nameof(SiteOptions.KeepQueryParameters), s => s.KeepQueryParameters, (a, b) => a.SequenceEqual(b));
        Compare(nameof(SiteOptions.StrictOrigin), s => s.StrictOrigin, (a, b) => a == b);
        return changes;
    }
}

/// <summary>A line of the sites audit log.</summary>
public sealed record SiteAuditEntry
{
    public DateTimeOffset At { get; init; }

    /// <summary>"cli:USER" or "api:KEY_ID".</summary>
    public string Actor { get; init; } = "";

    /// <summary>add, set or remove.</summary>
    public string Action { get; init; } = "";

    public string Site { get; init; } = "";

    /// <summary>Each changed setting: [old, new] (null for a site that did not, or no longer, exist).</summary>
    public Dictionary<string, object?[]>? Changes { get; init; }
}
