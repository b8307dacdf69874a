using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Schema;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// Takes an erased visitor out of the rollups' visitor states. The states hold hashes of visitor IDs
/// (<see cref="VisitorSketch"/>), and a hash cannot be taken out of a state; so for every site and day the
/// visitor had raw rows on, the states of those days' rollup rows are emptied and then rebuilt from the
/// raw rows that remain. Sums (pageviews, visits, ...) are counts without IDs and stay as they are.
/// A state merged with a copy of itself is unchanged (a set union), so a rebuild that overlaps rows the
/// aggregator writes meanwhile counts nothing twice, and running it again changes nothing.
/// </summary>
public sealed class ErasedVisitorStates(IClickHouse clickHouse, string cluster)
{
    private const string Anonymous = "toUUID('00000000-0000-0000-0000-000000000000')";
    private const string Cookie = $"visitor_id != {Anonymous}";

    /// <summary>
    /// Each rollup with visitor states: its day expression, the state columns written before
    /// <c>0012</c> (emptied too), and the rebuild of <c>visitors_exact</c> (its view's query, restricted).
    /// </summary>
    private static readonly (string Table, string Day, string[] OldStates, string? Rebuild)[] Rollups =
    [
        // No longer filled or read since 0008, but its uniq states of those days hold the same hashes.
        ("rollup_pages_daily", "day", ["visitors"], null),
        ("rollup_site_hourly", "toDate(hour)", ["visitors", "visitors_sketch"],
            $"(site_id, hour, visitors_exact) SELECT site_id, toStartOfHour(timestamp) AS hour, uniqCombined64StateIf(19)(visitor_id, NOT is_bot AND {Cookie}) FROM {{db}}.hits WHERE {Hits} GROUP BY site_id, hour"),
        ("rollup_paths_daily", "day", ["visitors_sketch"],
            $"(site_id, hostname, path, day, visitors_exact) SELECT site_id, hostname, path, toDate(timestamp) AS day, uniqCombined64StateIf(19)(visitor_id, {Cookie}) FROM {{db}}.hits WHERE kind = 1 AND NOT is_bot AND {Hits} GROUP BY site_id, hostname, path, day"),
        ("rollup_link_clicks_daily", "day", ["visitors", "visitors_sketch"],
            $"(site_id, day, link_campaign, link_target, visitors_exact) SELECT site_id, toDate(timestamp) AS day, link_campaign, link_target, uniqCombined64StateIf(19)(visitor_id, {Cookie}) FROM {{db}}.hits WHERE kind = 3 AND NOT is_bot AND {Hits} GROUP BY site_id, day, link_campaign, link_target"),
        ("rollup_events_daily", "day", ["visitors", "visitors_sketch"],
            $"(site_id, day, event_name, visitors_exact) SELECT site_id, toDate(timestamp) AS day, event_name, uniqCombined64StateIf(19)(visitor_id, {Cookie}) FROM {{db}}.hits WHERE kind = 2 AND NOT is_bot AND {Hits} GROUP BY site_id, day, event_name"),
        ("rollup_sources_daily", "day", ["visitors", "visitors_sketch"],
            $"(site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign, visitors_exact) SELECT site_id, toDate(started_at) AS day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND {Cookie}) FROM {{db}}.sessions WHERE NOT is_bot AND {Sessions} GROUP BY site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign"),
        ("rollup_locations_daily", "day", ["visitors", "visitors_sketch"],
            $"(site_id, day, country, region, city, visitors_exact) SELECT site_id, toDate(started_at) AS day, country, region, city, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND {Cookie}) FROM {{db}}.sessions WHERE NOT is_bot AND {Sessions} GROUP BY site_id, day, country, region, city"),
        ("rollup_devices_daily", "day", ["visitors", "visitors_sketch"],
            $"(site_id, day, device_type, browser, browser_version, os, os_version, visitors_exact) SELECT site_id, toDate(started_at) AS day, device_type, browser, browser_version, os, os_version, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND {Cookie}) FROM {{db}}.sessions WHERE NOT is_bot AND {Sessions} GROUP BY site_id, day, device_type, browser, browser_version, os, os_version"),
        ("rollup_visit_attributes_daily", "day", ["visitors_sketch"],
            $"(site_id, attribute, value, day, visitors_exact) SELECT site_id, attribute, value, toDate(started_at) AS day, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND {Cookie}) FROM {{db}}.sessions ARRAY JOIN ['country', 'browser', 'os', 'device_type'] AS attribute, [country, browser, os, device_type] AS value WHERE NOT is_bot AND {Sessions} GROUP BY site_id, attribute, value, day"),
    ];

    /// <summary>
    /// Span lengths of rollup_visitor_spans_fine (schema/0014, 0019), and its rebuild from raw rows (its views' queries,
    /// restricted; kept_from is the span's start, as for the other rollups).
    /// </summary>
    private static readonly int[] SpanLengths = [1, 4, 16];

    private static readonly string[] SpanRebuilds =
    [
        $"(site_id, attribute, span_days, day, value, visitors_exact, kept_from) SELECT site_id, attribute, span_days, toDate(timestamp) - (toUInt32(toDate(timestamp)) % span_days) AS start, value, uniqCombined64StateIf(19)(visitor_id, {Cookie}), start AS kept_from FROM {{db}}.hits ARRAY JOIN ['hits', 'page'] AS attribute, ['', path] AS value ARRAY JOIN [1, 4, 16] AS span_days WHERE NOT is_bot AND (attribute = 'hits' OR kind = 1) AND {Hits} GROUP BY site_id, attribute, span_days, start, value",
        $"(site_id, attribute, span_days, day, value, visitors_exact, kept_from) SELECT site_id, attribute, span_days, toDate(started_at) - (toUInt32(toDate(started_at)) % span_days) AS start, value, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND {Cookie}), start AS kept_from FROM {{db}}.sessions ARRAY JOIN ['visits', 'source', 'utm_campaign', 'country', 'browser', 'os', 'device_type'] AS attribute, ['', toString(source), utm_campaign, toString(country), toString(browser), toString(os), toString(device_type)] AS value ARRAY JOIN [1, 4, 16] AS span_days WHERE NOT is_bot AND {Sessions} GROUP BY site_id, attribute, span_days, start, value",
    ];

    // {days} is a list of date literals we format ourselves (a Date array parameter does not travel
    // through every client alike); the site is a parameter.
    private const string Hits = "site_id = {site:String} AND toDate(timestamp) IN {days}";
    private const string Sessions = "site_id = {site:String} AND toDate(started_at) IN {days}";

    /// <summary>The sites and days the visitor has raw rows on (hits, and visits by the day they started); read before the rows go.</summary>
    public async Task<IReadOnlyList<(string Site, DateOnly[] Days)>> DaysOfAsync(Guid visitorId, CancellationToken cancellationToken)
    {
        var text = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            $$"""
            SELECT site_id, arrayStringConcat(arraySort(groupUniqArray(toString(day))), ',') FROM (
                SELECT site_id, toDate(timestamp) AS day FROM {{clickHouse.Database}}.hits WHERE visitor_id = {visitor:UUID}
                UNION ALL
                SELECT site_id, toDate(started_at) AS day FROM {{clickHouse.Database}}.sessions WHERE visitor_id = {visitor:UUID})
            GROUP BY site_id ORDER BY site_id
            """,
            "TabSeparated",
            new Dictionary<string, string> { ["visitor"] = visitorId.ToString() },
            cancellationToken));
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).Select(f =>
            (f[0], f[1].Split(',').Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray()))];
    }

    /// <summary>Empties the visitor states of those days' rollup rows and rebuilds them from the raw rows left (after the visitor's are deleted).</summary>
    public async Task RebuildAsync(IReadOnlyList<(string Site, DateOnly[] Days)> affected, CancellationToken cancellationToken)
    {
        var database = clickHouse.Database;
        var onCluster = cluster.Length == 0 ? "" : " ON CLUSTER " + cluster;
        var local = cluster.Length == 0 ? "" : ClusterDdl.LocalSuffix;
        foreach (var (site, days) in affected)
        {
            var parameters = new Dictionary<string, string> { ["site"] = site };
            var dayList = "(" + string.Join(", ", days.Select(d => SqlLiteral.Quote(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))) + ")";
            foreach (var (table, day, oldStates, rebuild) in Rollups)
            {
                var empty = oldStates.Select(c => $"{c} = arrayReduce('{StateFunction(c)}', CAST([], 'Array(UUID)'))");
                if (rebuild is not null)
                {
                    empty = empty.Prepend($"{VisitorSketch.Column} = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)'))");
                }
                // The mutation completes on every replica before the rebuild is inserted, so it cannot empty the rebuilt states.
                await clickHouse.ExecuteAsync(
                    $"ALTER TABLE {database}.{table}{local}{onCluster} UPDATE {string.Join(", ", empty)} WHERE site_id = {{site:String}} AND {day} IN {dayList} SETTINGS mutations_sync = 2",
                    parameters,
                    cancellationToken);
                if (rebuild is not null)
                {
                    // kept_from is the row's own day, never later than what the row holds: an erase does not
                    // make the other visitors' states of that day live longer (rollup retention counts from it).
                    var insert = rebuild.Replace(") SELECT ", ", kept_from) SELECT ", StringComparison.Ordinal)
                        .Replace(" FROM {db}.", $", {day} AS kept_from FROM {{db}}.", StringComparison.Ordinal)
                        .Replace("{db}", database, StringComparison.Ordinal).Replace("{days}", dayList, StringComparison.Ordinal);
                    await clickHouse.ExecuteAsync($"INSERT INTO {database}.{table} {insert}", parameters, cancellationToken);
                }
            }
            await RebuildSpansAsync(database, local, onCluster, parameters, days, cancellationToken);
            // Windows (schema/0027, 0029) merge spans or visits of many days; those of the site go whole. A window whose
            // build began before the erasure ended is never read (its tombstone, written again at the end, is newer).
            foreach (var windows in (string[])["visitor_windows", "page_windows"])
            {
                await clickHouse.ExecuteAsync(
                    $"ALTER TABLE {database}.{windows}{local}{onCluster} DELETE WHERE site_id = {{site:String}} SETTINGS mutations_sync = 2",
                    parameters,
                    cancellationToken);
            }
        }
    }

    /// <summary>
    /// rollup_visitor_spans_fine: every span holding one of <paramref name="days"/> (at each length) is emptied, then
    /// rebuilt from the raw rows of all the days those spans cover. A span the rebuild also touches without
    /// having been emptied gets a subset of its own hashes back, which changes nothing.
    /// </summary>
    private async Task RebuildSpansAsync(string database, string local, string onCluster, Dictionary<string, string> parameters, DateOnly[] days, CancellationToken cancellationToken)
    {
        var spans = days.SelectMany(d => SpanLengths.Select(l => (Length: l, Start: d.AddDays(-(d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber) % l))))
            .Distinct().ToList();
        var spanList = "(" + string.Join(", ", spans.Select(s => $"({s.Length.ToString(CultureInfo.InvariantCulture)}, toDate({SqlLiteral.Quote(Day(s.Start))}))")) + ")";
        var covered = "(" + string.Join(", ", spans.SelectMany(s => Enumerable.Range(0, s.Length).Select(i => s.Start.AddDays(i))).Distinct().Order()
            .Select(d => SqlLiteral.Quote(Day(d)))) + ")";
        await clickHouse.ExecuteAsync(
            $"ALTER TABLE {database}.rollup_visitor_spans_fine{local}{onCluster} UPDATE {VisitorSketch.Column} = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE site_id = {{site:String}} AND (span_days, day) IN {spanList} SETTINGS mutations_sync = 2",
            parameters,
            cancellationToken);
        foreach (var rebuild in SpanRebuilds)
        {
            await clickHouse.ExecuteAsync($"INSERT INTO {database}.rollup_visitor_spans_fine {rebuild.Replace("{db}", database, StringComparison.Ordinal).Replace("{days}", covered, StringComparison.Ordinal)}", parameters, cancellationToken);
        }
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string StateFunction(string column) => column switch
    {
        "visitors" => "uniqState",
        "visitors_sketch" => "uniqCombinedState(12)",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not a visitor state column"),
    };
}
