using System.Security.Cryptography;
using System.Text.Json;
using Analytics.Partners.Configuration;
using Analytics.Partners.Formats;
using Analytics.Partners.Reports;
using Microsoft.Extensions.Options;

namespace Analytics.Partners.Storage;

/// <summary>
/// Generated reports on disk: StorePath/reports/PARTNER/REPORT/WINDOW.ext, with WINDOW.json (what it is) and
/// WINDOW.push.json (its delivery) beside it. Files are written to a temporary name and renamed, so a reader
/// or a crash never sees half a file. Paths are built only from validated ids, never from raw request text.
/// </summary>
public sealed class ReportStore : IDisposable
{
    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public ReportStore(IOptions<PartnersOptions> options, TimeProvider time)
    {
        _root = Path.GetFullPath(Path.Combine(options.Value.StorePath, "reports"));
        _time = time;
    }

    /// <summary>Writes the report and its metadata; a rerun of the same window replaces the previous file.</summary>
    public async Task<StoredReport> SaveAsync(ReportTable table, ReportFormat format, CancellationToken cancellationToken)
    {
        var writer = ReportWriters.For(format);
        var query = table.Query;
        var folder = Folder(query.PartnerId, query.ReportId);
        Directory.CreateDirectory(folder);
        var fileName = query.Window.Name + writer.Extension;
        var temporary = Path.Combine(folder, "." + Guid.NewGuid().ToString("N") + ".tmp");
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            await writer.WriteAsync(table, file, cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }
        string sha256;
        await using (var file = File.OpenRead(temporary))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        }
        var stored = new StoredReport
        {
            Partner = query.PartnerId,
            Report = query.ReportId,
            Window = query.Window.Name,
            FileName = fileName,
            ContentType = writer.ContentType,
            Rows = table.DataRows,
            WithheldCells = table.WithheldCells,
            Sha256 = sha256,
            Bytes = new FileInfo(temporary).Length,
            GeneratedAt = _time.GetUtcNow(),
            Privacy = table.Privacy,
        };
        await _lock.WaitAsync(cancellationToken);
        try
        {
            // Recorded before the report appears, so a crash in between cannot publish cells that a rerun would not withhold again.
            await RecordWithheldCoreAsync(query.PartnerId, query.ReportId, query.Window.Name, table.Withheld, cancellationToken);
            // Other formats of the same window (the definition's format changed) are replaced too.
            foreach (var old in Directory.EnumerateFiles(folder, query.Window.Name + ".*"))
            {
                if (ReportWriters.ForExtension(Path.GetExtension(old)) is not null && Path.GetFileName(old) != fileName)
                {
                    File.Delete(old);
                }
            }
            File.Move(temporary, Path.Combine(folder, fileName), overwrite: true);
            await WriteJsonAsync(Path.Combine(folder, query.Window.Name + ".json"), stored, PartnersJsonContext.Default.StoredReport, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
        return stored;
    }

    /// <summary>
    /// Keys of the cells earlier runs of this report and window withheld (never the numbers). A rerun withholds them
    /// again even if they have grown past k since: publishing one now would give away the others by subtraction.
    /// </summary>
    public IReadOnlySet<string> WithheldBefore(string partnerId, string reportId, string window)
    {
        var path = WithheldPath(partnerId, reportId, window);
        return File.Exists(path)
            ? (JsonSerializer.Deserialize(File.ReadAllBytes(path), PartnersJsonContext.Default.ListString) ?? []).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Adds <paramref name="table"/>'s withheld cells to the record (for a report published without being stored, as the CLI's export).</summary>
    public async Task RecordWithheldAsync(ReportTable table, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await RecordWithheldCoreAsync(table.Query.PartnerId, table.Query.ReportId, table.Query.Window.Name, table.Withheld, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task RecordWithheldCoreAsync(string partnerId, string reportId, string window, IReadOnlySet<string> withheld, CancellationToken cancellationToken)
    {
        var before = WithheldBefore(partnerId, reportId, window);
        if (before.IsSupersetOf(withheld) && File.Exists(WithheldPath(partnerId, reportId, window)))
        {
            return;
        }
        Directory.CreateDirectory(Folder(partnerId, reportId));
        var all = before.Union(withheld).Order(StringComparer.Ordinal).ToList();
        await WriteJsonAsync(WithheldPath(partnerId, reportId, window), all, PartnersJsonContext.Default.ListString, cancellationToken);
    }

    private string WithheldPath(string partnerId, string reportId, string window) => Path.Combine(Folder(partnerId, reportId), window + ".withheld.json");

    /// <summary>The partner's stored reports, newest window first.</summary>
    public IReadOnlyList<StoredReport> List(string partnerId)
    {
        var partnerFolder = Path.Combine(_root, partnerId);
        if (!Directory.Exists(partnerFolder))
        {
            return [];
        }
        return Directory.EnumerateFiles(partnerFolder, "*.json", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".push.json", StringComparison.Ordinal) && !f.EndsWith(".withheld.json", StringComparison.Ordinal))
            .Select(f => JsonSerializer.Deserialize(File.ReadAllBytes(f), PartnersJsonContext.Default.StoredReport))
            .OfType<StoredReport>()
            .Where(r => r.Partner == partnerId)
            .OrderByDescending(r => r.Window, StringComparer.Ordinal)
            .ThenBy(r => r.Report, StringComparer.Ordinal)
            .ToList();
    }

    public StoredReport? Find(string partnerId, string reportId, string window)
    {
        var path = Path.Combine(Folder(partnerId, reportId), window + ".json");
        return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), PartnersJsonContext.Default.StoredReport) : null;
    }

    /// <summary>Full path of the report's file.</summary>
    public string PathOf(StoredReport report) => Path.Combine(Folder(report.Partner, report.Report), report.FileName);

    public PushState? PushStateOf(StoredReport report)
    {
        var path = PushPath(report);
        return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), PartnersJsonContext.Default.PushState) : null;
    }

    public async Task SavePushStateAsync(StoredReport report, PushState state, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await WriteJsonAsync(PushPath(report), state, PartnersJsonContext.Default.PushState, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private string PushPath(StoredReport report) => Path.Combine(Folder(report.Partner, report.Report), report.Window + ".push.json");

    private string Folder(string partnerId, string reportId) => Path.Combine(_root, partnerId, reportId);

    private static async Task WriteJsonAsync<T>(string path, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(value, type), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose() => _lock.Dispose();
}
