using System.Text.Json;
using Analytics.Partners.Configuration;
using Microsoft.Extensions.Options;

namespace Analytics.Partners.Audit;

/// <summary>
/// Append-only audit of report generations, downloads and pushes: StorePath/audit.jsonl, one JSON object per
/// line, flushed to disk before the call returns. It holds ids, counts, checksums and the push endpoint's
/// host; never a key, a secret, a visitor's data or a report's content.
/// </summary>
public sealed class AuditLog : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public AuditLog(IOptions<PartnersOptions> options) => FilePath = Path.GetFullPath(Path.Combine(options.Value.StorePath, "audit.jsonl"));

    public AuditLog(string filePath) => FilePath = Path.GetFullPath(filePath);

    public string FilePath { get; }

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(entry, PartnersJsonContext.Default.AuditEntry);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            await using var file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
            await file.WriteAsync(line, cancellationToken);
            file.WriteByte((byte)'\n');
            file.Flush(flushToDisk: true);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Entries oldest first, optionally for one partner only and only the newest <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string? partner = null, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }
        var entries = new List<AuditEntry>();
        await using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            // A line cut short by a crash is skipped rather than failing the whole listing.
            if (line.Length == 0 || !line.EndsWith('}'))
            {
                continue;
            }
            var entry = JsonSerializer.Deserialize(line, PartnersJsonContext.Default.AuditEntry);
            if (entry is not null && (partner is null || entry.Partner == partner))
            {
                entries.Add(entry);
            }
        }
        return entries.Count > limit ? entries[^limit..] : entries;
    }

    public void Dispose() => _lock.Dispose();
}
