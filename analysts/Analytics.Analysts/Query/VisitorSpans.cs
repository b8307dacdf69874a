using System.Globalization;

namespace Analytics.Analysts.Query;

/// <summary>
/// rollup_visitor_spans_fine (schema/0014, in granules of 8 rows since 0019): visitor states and sums for aligned spans of 1, 4 and 16 UTC days,
/// per attribute value. A period of whole UTC days is read as the union of the fewest such spans, so a
/// 30-day answer merges 7 to 13 states per value instead of 30 (each large state costs a walk over its
/// 2^19 registers). The same <c>uniqCombined64(19)</c> states as the other rollups: the union of spans
/// holds the same hashes as the union of days, so answers are the same (RollupPlannerTests).
/// </summary>
public static class VisitorSpans
{
    public const string Table = "rollup_visitor_spans_fine";

    /// <summary>Span lengths in days, longest first; a span starts on a multiple of its length (days since 1970-01-01).</summary>
    private static readonly int[] Lengths = [16, 4, 1];

    /// <summary>Visit-fed attributes (the visit's first-hit value, counted on the day the visit started), by column.</summary>
    private static readonly HashSet<string> VisitAttributes = ["source", "utm_campaign", "country", "browser", "os", "device_type"];

    private static readonly HashSet<string> VisitMetrics = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "estimated_visitors"];
    private static readonly HashSet<string> HitMetrics = ["visitors", "pageviews", "estimated_visitors"];

    /// <summary>The hit-fed rows: 'hits' (every human hit, the site's total by hit time) and 'page' (pageview hits by path).</summary>
    public static bool IsHitFed(string attribute) => attribute is "hits" or "page";

    /// <summary>
    /// The attribute whose rows answer <paramref name="query"/> (visit-fed when <paramref name="visits"/>),
    /// or null: whole UTC days, at most one dimension (a span attribute, or days, weeks or months in a
    /// zone whose days are UTC days), filters on that attribute only, metrics the rows hold.
    /// </summary>
    public static string? AttributeFor(StatsQuery query, IReadOnlyList<Condition> conditions, DateRange range, bool visits)
    {
        if (!WholeUtcDays(range) || query.Dimensions.Count > 1
            || !query.Metrics.All(m => (visits ? VisitMetrics : HitMetrics).Contains(m.Name)))
        {
            return null;
        }
        if (query.Dimensions is [{ Grain: { } grain }] && (grain == TimeGrain.Hour || !UtcZone(query.TimeZone)))
        {
            return null;
        }
        var columns = query.Dimensions.Where(d => d.Column is not null).Select(d => d.Column!.Column)
            .Concat(conditions.Select(c => c.Dimension.Column)).Distinct().ToList();
        return (visits, columns) switch
        {
            (true, []) => "visits",
            (true, [var column]) when VisitAttributes.Contains(column) => column,
            (false, []) => "hits",
            (false, ["path"]) => "page",
            _ => null,
        };
    }

    /// <summary>
    /// The fewest aligned spans that cover [from, to) exactly (whole UTC days), as SQL tuples
    /// <c>(span_days, day)</c>. Greedy from the start: the longest span that starts here and fits.
    /// </summary>
    public static List<(int Days, DateOnly Start)> Cover(DateRange range)
    {
        var day = DayNumber(range.From);
        var end = DayNumber(range.To);
        var spans = new List<(int, DateOnly)>();
        while (day < end)
        {
            var length = Lengths.First(l => day % l == 0 && day + l <= end);
            spans.Add((length, DateOnly.FromDateTime(DateTime.UnixEpoch.AddDays(day))));
            day += length;
        }
        return spans;
    }

    /// <summary>The SQL condition picking the rows of <see cref="Cover"/> (dates formatted here, never from a caller).</summary>
    public static string CoverSql(DateRange range)
    {
        var spans = Cover(range);
        return spans.Count == 0
            ? "0"
            : "(span_days, day) IN (" + string.Join(", ", spans.Select(Tuple)) + ")";
    }

    /// <summary>The SQL condition picking the rows of one span of <see cref="Cover"/>.</summary>
    public static string SpanSql((int Days, DateOnly Start) span) => $"(span_days, day) = {Tuple(span)}";

    private static string Tuple((int Days, DateOnly Start) span) =>
        $"({span.Days.ToString(CultureInfo.InvariantCulture)}, toDate('{span.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'))";

    private static int DayNumber(DateTime utc) => (int)Math.Floor((DateTime.SpecifyKind(utc, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalDays);

    private static bool WholeUtcDays(DateRange range) => range.From.TimeOfDay == TimeSpan.Zero && range.To.TimeOfDay == TimeSpan.Zero;

    private static bool UtcZone(TimeZoneInfo zone) => zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime;
}
