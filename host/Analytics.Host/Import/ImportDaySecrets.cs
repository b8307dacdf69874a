using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Import;

/// <summary>
/// The visitor secrets of recent UTC days, per site (<c>import_day_secrets</c>, schema 0025): the secret an import
/// derived a day's visitors with, kept so that the next run derives that day's visitors alike. A daily
/// <c>import access.log*</c> after logrotate cut the log within a day then counts a visitor seen on both sides of
/// the cut once. Only the days from <paramref name="keptDays"/> (<see cref="ImportSettings.KeepDaySecretsDays"/>) before
/// today on are kept, each until that many days after it (its row's keep_until, the table's TTL): older history keeps
/// no secret, as before.
/// </summary>
public sealed class ImportDaySecrets(IClickHouse clickHouse, int keptDays)
{
    /// <summary>The site's kept secrets by day (the first stored for a day, when two imports stored one).</summary>
    public async Task<Dictionary<DateOnly, byte[]>> ReadAsync(string siteId, DateOnly today, CancellationToken cancellationToken)
    {
        var output = await clickHouse.QueryAsync(
            $$"""
            SELECT toString(day) AS on_day, argMin(secret, stored_at) AS secret FROM {{clickHouse.Database}}.import_day_secrets
            WHERE site_id = {site:String} AND keep_until > {today:Date}
            GROUP BY day
            """,
            "JSONEachRow",
            new Dictionary<string, string> { ["site"] = siteId, ["today"] = Text(today) },
            cancellationToken);
        var secrets = new Dictionary<DateOnly, byte[]>();
        foreach (var line in Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var row = JsonDocument.Parse(line);
            var secret = Convert.FromBase64String(row.RootElement.GetProperty("secret").GetString()!);
            if (secret.Length == HistoricVisitorIds.SecretLength)
            {
                secrets[DateOnly.ParseExact(row.RootElement.GetProperty("on_day").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture)] = secret;
            }
        }
        return secrets;
    }

    /// <summary>Keeps <paramref name="secret"/> for those of <paramref name="days"/> recent enough; returns the days stored.</summary>
    public async Task<List<DateOnly>> KeepAsync(string siteId, IEnumerable<DateOnly> days, byte[] secret, DateOnly today, CancellationToken cancellationToken)
    {
        // 0 keeps none, not even today's: every run's visitors its own.
        var kept = keptDays == 0 ? [] : days.Where(d => d >= today.AddDays(-keptDays)).Order().ToList();
        if (kept.Count > 0)
        {
            var rows = string.Concat(kept.Select(day => JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["site_id"] = siteId,
                ["day"] = Text(day),
                ["secret"] = Convert.ToBase64String(secret),
                ["keep_until"] = Text(day.AddDays(keptDays + 1)),
            }) + "\n"));
            await clickHouse.InsertAsync($"{clickHouse.Database}.import_day_secrets", "JSONEachRow", Encoding.UTF8.GetBytes(rows), cancellationToken: cancellationToken);
        }
        return kept;
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
