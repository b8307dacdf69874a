using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Import;

/// <summary>A finished import, as <c>import_ledger</c> (schema 0011) remembers it; its text since schema 0024 (null before).</summary>
public sealed record FinishedImport(string File, long Lines, long Pageviews, DateTime ImportedAt)
{
    public LogText? Text { get; init; }
}

/// <summary>
/// The log files already imported into this store, by fingerprint and site: a finished file is recorded
/// once all its hits are stored, and a second import of the same bytes is a no-op unless forced.
/// </summary>
public sealed class ImportLedger(IClickHouse clickHouse)
{
    public async Task<FinishedImport?> FindAsync(string siteId, string fingerprint, CancellationToken cancellationToken) =>
        (await ReadAsync("fingerprint = {fingerprint:String} ORDER BY imported_at DESC LIMIT 1",
            new Dictionary<string, string> { ["site"] = siteId, ["fingerprint"] = fingerprint }, cancellationToken)).FirstOrDefault();

    /// <summary>The site's finished files whose text is recorded (since schema 0024): a file that begins with one is continued after it.</summary>
    public Task<List<FinishedImport>> WithTextAsync(string siteId, CancellationToken cancellationToken) =>
        ReadAsync("text_bytes > 0", new Dictionary<string, string> { ["site"] = siteId }, cancellationToken);

    private async Task<List<FinishedImport>> ReadAsync(string where, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var output = await clickHouse.QueryAsync(
            $$"""
            SELECT file, lines, pageviews, toUnixTimestamp64Milli(imported_at) AS at, text_bytes, text_lines, text_sha256 FROM {{clickHouse.Database}}.import_ledger
            WHERE site_id = {site:String} AND {{where}}
            """,
            "JSONEachRow",
            parameters,
            cancellationToken);
        var found = new List<FinishedImport>();
        foreach (var line in System.Text.Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var row = JsonDocument.Parse(line);
            var root = row.RootElement;
            var textBytes = Number(root.GetProperty("text_bytes"));
            found.Add(new FinishedImport(
                root.GetProperty("file").GetString()!,
                Number(root.GetProperty("lines")),
                Number(root.GetProperty("pageviews")),
                DateTime.UnixEpoch.AddMilliseconds(Number(root.GetProperty("at"))))
            {
                Text = textBytes == 0 ? null : new LogText(textBytes, Number(root.GetProperty("text_lines")), root.GetProperty("text_sha256").GetString()!),
            });
        }
        return found;
    }

    /// <summary>64-bit integers come quoted in JSON output by default.</summary>
    private static long Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();

    public async Task RecordAsync(string siteId, LogFile file, long pageviews, CancellationToken cancellationToken)
    {
        var row = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["site_id"] = siteId,
            ["fingerprint"] = file.Fingerprint,
            ["file"] = file.Path,
            ["lines"] = file.Lines,
            ["pageviews"] = pageviews,
            ["first_at"] = (file.First ?? DateTime.UnixEpoch).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            ["last_at"] = (file.Last ?? DateTime.UnixEpoch).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            ["text_bytes"] = file.Text?.Bytes ?? 0,
            ["text_lines"] = file.Text?.Lines ?? 0,
            ["text_sha256"] = file.Text?.Sha256 ?? "",
        });
        await clickHouse.InsertAsync($"{clickHouse.Database}.import_ledger", "JSONEachRow", Encoding.UTF8.GetBytes(row + "\n"), cancellationToken: cancellationToken);
    }
}
