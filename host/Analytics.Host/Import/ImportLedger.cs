using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Import;

/// <summary>A finished import, as <c>import_ledger</c> (schema 0011) remembers it.</summary>
public sealed record FinishedImport(string File, long Lines, long Pageviews, DateTime ImportedAt);

/// <summary>
/// The log files already imported into this store, by fingerprint and site: a finished file is recorded
/// once all its hits are stored, and a second import of the same bytes is a no-op unless forced.
/// </summary>
public sealed class ImportLedger(IClickHouse clickHouse)
{
    public async Task<FinishedImport?> FindAsync(string siteId, string fingerprint, CancellationToken cancellationToken)
    {
        var output = await clickHouse.QueryAsync(
            $$"""
            SELECT file, lines, pageviews, toUnixTimestamp64Milli(imported_at) AS at FROM {{clickHouse.Database}}.import_ledger
            WHERE site_id = {site:String} AND fingerprint = {fingerprint:String} ORDER BY imported_at DESC LIMIT 1
            """,
            "JSONEachRow",
            new Dictionary<string, string> { ["site"] = siteId, ["fingerprint"] = fingerprint },
            cancellationToken);
        if (output.Length == 0)
        {
            return null;
        }
        using var row = JsonDocument.Parse(output);
        var root = row.RootElement;
        return new FinishedImport(
            root.GetProperty("file").GetString()!,
            Number(root.GetProperty("lines")),
            Number(root.GetProperty("pageviews")),
            DateTime.UnixEpoch.AddMilliseconds(Number(root.GetProperty("at"))));
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
        });
        await clickHouse.InsertAsync($"{clickHouse.Database}.import_ledger", "JSONEachRow", Encoding.UTF8.GetBytes(row + "\n"), cancellationToken: cancellationToken);
    }
}
