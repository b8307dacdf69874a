using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Analytics.Pipeline.Sites;
using Microsoft.Extensions.Options;

namespace Analytics.Analysts.Query;

/// <summary>
/// Turns a request body (Plausible's query shape) into a <see cref="StatsQuery"/>, or a
/// <see cref="BadQueryException"/> naming what is wrong. Names outside the allow-lists and values over
/// the limits never get further than here.
/// </summary>
public sealed class StatsQueryParser(IOptions<AnalystsOptions> options, TimeProvider clock, ISiteSettings? sites = null, DefinitionStore? definitions = null)
{
    /// <summary>
    /// The earliest and latest day a custom range may name: the stored timestamps (DateTime64) and the
    /// comparison periods a year or a range earlier stay far inside what the engine and .NET can
    /// represent, so a year like 9999 is a clear 400, not an overflow.
    /// </summary>
    public static readonly DateOnly FirstDay = new(1970, 1, 1);

    public static readonly DateOnly LastDay = new(2199, 12, 31);

    private readonly AnalystsOptions _options = options.Value;

    public StatsQuery Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new BadQueryException("The query must be a JSON object.");
        }
        var site = RequiredString(body, "site_id");
        var zone = TimeZoneOf(site);
        var metrics = ParseMetrics(body.TryGetProperty("metrics", out var m) ? m : default);
        var dimensions = ParseDimensions(body.TryGetProperty("dimensions", out var d) ? d : default);
        var range = ParseRange(body.TryGetProperty("date_range", out var r) ? r : default, zone);
        Filter? filter = null;
        if (body.TryGetProperty("filters", out var f) && f.ValueKind != JsonValueKind.Null)
        {
            filter = new AllOf(ParseFilterList(f, "filters", site));
            var conditions = filter.Conditions().Count();
            if (conditions > _options.MaxFilterConditions)
            {
                throw new BadQueryException($"At most {_options.MaxFilterConditions} filter conditions are allowed; got {conditions}.");
            }
        }
        var (limit, offset) = ParsePagination(body);
        return new StatsQuery
        {
            SiteId = site,
            TimeZone = zone,
            Range = range,
            Metrics = metrics,
            Dimensions = dimensions,
            Filter = filter,
            OrderBy = ParseOrder(body.TryGetProperty("order_by", out var o) ? o : default, metrics, dimensions),
            Limit = limit,
            Offset = offset,
            Comparison = ParseComparison(body),
        };
    }

    /// <summary>
    /// The site's time zone: Analysts:TimeZones when it names the site, else the site registry's (read at each
    /// query, so a reloaded sites file applies), else UTC.
    /// </summary>
    public TimeZoneInfo TimeZoneOf(string site) =>
        (_options.TimeZones.TryGetValue(site, out var id) ? id : sites?.Find(site)?.TimeZone) is { } name && TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone)
            ? zone
            : TimeZoneInfo.Utc;

    /// <summary>Resolves a period name ("today", "7d", "month", ...) or "YYYY-MM-DD,YYYY-MM-DD".</summary>
    public DateRange ParseRange(string? text, TimeZoneInfo zone)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ParseRange(default(JsonElement), zone);
        }
        var comma = text.IndexOf(',', StringComparison.Ordinal);
        return comma < 0
            ? NamedRange(text, zone)
            : CustomRange(text[..comma], text[(comma + 1)..], zone);
    }

    private DateRange ParseRange(JsonElement element, TimeZoneInfo zone) => element.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => NamedRange("30d", zone),
        JsonValueKind.String => ParseRange(element.GetString(), zone),
        JsonValueKind.Array when element.GetArrayLength() == 2 && element[0].ValueKind == JsonValueKind.String && element[1].ValueKind == JsonValueKind.String =>
            CustomRange(element[0].GetString()!, element[1].GetString()!, zone),
        _ => throw new BadQueryException("date_range must be a period name (today, yesterday, 7d, 30d, month, year, ...) or [\"YYYY-MM-DD\", \"YYYY-MM-DD\"]."),
    };

    private DateRange NamedRange(string name, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone));
        return name switch
        {
            "today" or "day" => DateRange.OfDays(today, today, zone),
            "yesterday" => DateRange.OfDays(today.AddDays(-1), today.AddDays(-1), zone),
            "month" => DateRange.OfDays(new DateOnly(today.Year, today.Month, 1), today, zone),
            "last_month" => LastMonth(today, zone),
            "year" => DateRange.OfDays(new DateOnly(today.Year, 1, 1), today, zone),
            "12mo" => Checked(DateRange.OfDays(today.AddMonths(-12).AddDays(1), today, zone)),
            "6mo" => Checked(DateRange.OfDays(today.AddMonths(-6).AddDays(1), today, zone)),
            "all" => Checked(DateRange.OfDays(today.AddDays(1 - _options.MaxRangeDays), today, zone)) with { AllTime = true },
            _ when name.EndsWith('d') && int.TryParse(name.AsSpan(0, name.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days >= 1 =>
                Checked(DateRange.OfDays(today.AddDays(1 - Math.Min(days, _options.MaxRangeDays + 1)), today, zone)),
            _ => throw new BadQueryException($"Unknown date_range '{Shorten(name)}': use today, yesterday, Nd (last N days up to today), month, last_month, year, 6mo, 12mo, all or two dates."),
        };
    }

    private static DateRange LastMonth(DateOnly today, TimeZoneInfo zone)
    {
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        return DateRange.OfDays(first, first.AddMonths(1).AddDays(-1), zone);
    }

    private DateRange CustomRange(string from, string to, TimeZoneInfo zone)
    {
        if (!DateOnly.TryParseExact(from.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            || !DateOnly.TryParseExact(to.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last))
        {
            throw new BadQueryException("Custom date_range dates must be YYYY-MM-DD.");
        }
        if (first < FirstDay || last > LastDay)
        {
            throw new BadQueryException($"date_range dates must lie between {FirstDay:yyyy-MM-dd} and {LastDay:yyyy-MM-dd}.");
        }
        if (last < first)
        {
            throw new BadQueryException("date_range ends before it starts.");
        }
        return Checked(DateRange.OfDays(first, last, zone));
    }

    private DateRange Checked(DateRange range) =>
        range.FirstDay < FirstDay || range.LastDay > LastDay
            ? throw new BadQueryException($"date_range dates must lie between {FirstDay:yyyy-MM-dd} and {LastDay:yyyy-MM-dd}.")
            : range.Days <= _options.MaxRangeDays
                ? range
                : throw new BadQueryException($"date_range covers {range.Days} days; at most {_options.MaxRangeDays} are allowed.");

    public static IReadOnlyList<Metric> ParseMetrics(IEnumerable<string> names)
    {
        var metrics = new List<Metric>();
        foreach (var name in names)
        {
            if (!Metric.TryFind(name, out var metric))
            {
                throw new BadQueryException($"Unknown metric '{Shorten(name)}'. Known: {string.Join(", ", Metric.All.Select(x => x.Name))}.");
            }
            if (metrics.Contains(metric))
            {
                throw new BadQueryException($"Metric '{name}' is listed twice.");
            }
            metrics.Add(metric);
        }
        if (metrics.Count == 0)
        {
            throw new BadQueryException("At least one metric is required.");
        }
        if (metrics.Contains(Metric.BotHits) && metrics.Any(x => x.IsVisitMetric))
        {
            throw new BadQueryException("bot_hits cannot be combined with visit metrics (visits exclude bots).");
        }
        return metrics;
    }

    private static IReadOnlyList<Metric> ParseMetrics(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array
            ? ParseMetrics(element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new BadQueryException("metrics must be strings.")).ToList())
            : throw new BadQueryException("metrics is required: an array such as [\"visitors\", \"pageviews\"].");

    public IReadOnlyList<QueryDimension> ParseDimensions(IEnumerable<string> names)
    {
        var dimensions = new List<QueryDimension>();
        foreach (var name in names)
        {
            var dimension = name switch
            {
                "time" or "time:day" => new QueryDimension(name, null, TimeGrain.Day),
                "time:hour" => new QueryDimension(name, null, TimeGrain.Hour),
                "time:week" => new QueryDimension(name, null, TimeGrain.Week),
                "time:month" => new QueryDimension(name, null, TimeGrain.Month),
                _ when Dimension.TryFind(name, out var column) => new QueryDimension(name, column, null),
                GoalDimension => new QueryDimension(name, null, null),
                _ => throw new BadQueryException($"Unknown dimension '{Shorten(name)}'. Known: time:hour, time:day, time:week, time:month, {string.Join(", ", Dimension.All.Select(x => x.Name))}, event:props:NAME, goal."),
            };
            if (dimensions.Any(x => x.Name == name))
            {
                throw new BadQueryException($"Dimension '{name}' is listed twice.");
            }
            dimensions.Add(dimension);
        }
        if (dimensions.Count > _options.MaxDimensions)
        {
            throw new BadQueryException($"At most {_options.MaxDimensions} dimensions are allowed per query; got {dimensions.Count}.");
        }
        if (dimensions.Count(x => x.Grain is not null) > 1)
        {
            throw new BadQueryException("Only one time dimension is allowed per query.");
        }
        return dimensions;
    }

    private IReadOnlyList<QueryDimension> ParseDimensions(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => [],
        JsonValueKind.Array => ParseDimensions(element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new BadQueryException("dimensions must be strings.")).ToList()),
        _ => throw new BadQueryException("dimensions must be an array of names."),
    };

    /// <summary>The dimension that groups rows by the site's goals (each goal's conversions), see ConversionQuery.</summary>
    public const string GoalDimension = "goal";

    /// <summary>
    /// A list of filter expressions (an implicit "and"), as in Plausible's query API. With
    /// <paramref name="site"/>, "goal" and "segment" filters name that site's saved goals and segments.
    /// </summary>
    public IReadOnlyList<Filter> ParseFilterList(JsonElement element, string where, string? site = null) => ParseFilterList(element, where, site, inSegment: false);

    private List<Filter> ParseFilterList(JsonElement element, string where, string? site, bool inSegment)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new BadQueryException($"{where} must be an array of filter expressions.");
        }
        return element.EnumerateArray().Select(e => ParseFilter(e, site, inSegment)).ToList();
    }

    private Filter ParseFilter(JsonElement element, string? site, bool inSegment)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() < 2 || element[0].ValueKind != JsonValueKind.String)
        {
            throw new BadQueryException("A filter is [operator, dimension, [values]], [\"and\"|\"or\", [filters]] or [\"not\", filter].");
        }
        var op = element[0].GetString()!;
        switch (op)
        {
            case "and":
                return new AllOf(ParseFilterList(element[1], "\"and\"", site, inSegment));
            case "or":
                return new AnyOf(ParseFilterList(element[1], "\"or\"", site, inSegment));
            case "not":
                return new NotFilter(ParseFilter(element[1], site, inSegment));
        }
        if (element.GetArrayLength() != 3 || element[1].ValueKind != JsonValueKind.String)
        {
            throw new BadQueryException($"Filter '{Shorten(op)}' needs a dimension name and a list of values.");
        }
        var name = element[1].GetString()!;
        if (name is "goal" or "event:goal" or "segment")
        {
            return SavedFilter(op, name, ParseValues(element[2]), site, inSegment);
        }
        if (!Dimension.TryFind(name, out var dimension))
        {
            throw new BadQueryException($"Unknown filter dimension '{Shorten(name)}'.");
        }
        var values = ParseValues(element[2]);
        return op switch
        {
            "is" => new Condition(FilterOperator.Is, dimension, values),
            "is_not" => new Condition(FilterOperator.IsNot, dimension, values),
            "contains" => new Condition(FilterOperator.Contains, dimension, values),
            "contains_not" => new NotFilter(new Condition(FilterOperator.Contains, dimension, values)),
            "matches" => new Condition(FilterOperator.Matches, dimension, CheckedPatterns(values)),
            "matches_not" => new NotFilter(new Condition(FilterOperator.Matches, dimension, CheckedPatterns(values))),
            _ => throw new BadQueryException($"Unknown filter operator '{Shorten(op)}': use is, is_not, contains, contains_not, matches, matches_not, and, or, not."),
        };
    }

    /// <summary>
    /// A filter on a saved goal (the hit meets it) or segment (its filters hold): "is" one of the named, or
    /// "is_not" any of them.
    /// </summary>
    private Filter SavedFilter(string op, string name, List<string> values, string? site, bool inSegment)
    {
        if (op is not ("is" or "is_not"))
        {
            throw new BadQueryException($"A {name} filter takes \"is\" or \"is_not\" and names.");
        }
        if (site is null || definitions is null)
        {
            throw new BadQueryException($"A {name} filter needs the site's saved definitions.");
        }
        var parts = new List<Filter>();
        foreach (var value in values)
        {
            if (name == "segment")
            {
                if (inSegment)
                {
                    throw new BadQueryException("A segment cannot contain another segment.");
                }
                var segment = definitions.FindSegment(site, value) ?? throw new BadQueryException($"The site has no segment '{Shorten(value)}'.");
                parts.Add(new AllOf(ParseFilterList(segment.Filters, $"segment '{segment.Name}'", site, inSegment: true)));
            }
            else
            {
                var goal = definitions.FindGoal(site, value) ?? throw new BadQueryException($"The site has no goal '{Shorten(value)}'.");
                parts.Add(goal.Condition());
            }
        }
        Filter any = parts.Count == 1 ? parts[0] : new AnyOf(parts);
        return op == "is" ? any : new NotFilter(any);
    }

    private List<string> ParseValues(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return [element.GetString()!];
        }
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() == 0)
        {
            throw new BadQueryException("Filter values must be a non-empty array of strings.");
        }
        if (element.GetArrayLength() > _options.MaxFilterValues)
        {
            throw new BadQueryException($"At most {_options.MaxFilterValues} values are allowed per filter.");
        }
        return element.EnumerateArray()
            .Select(v => v.ValueKind switch
            {
                JsonValueKind.String => v.GetString()!,
                JsonValueKind.Number => v.GetRawText(),
                _ => throw new BadQueryException("Filter values must be strings."),
            })
            .ToList();
    }

    /// <summary>
    /// The engine runs RE2 (linear time, no backtracking), so a pattern cannot blow up; we still bound
    /// its length and refuse what RE2 would refuse (backreferences, lookaround) with a clear message.
    /// </summary>
    private List<string> CheckedPatterns(List<string> patterns)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.Length > _options.MaxRegexLength)
            {
                throw new BadQueryException($"A regular expression may be at most {_options.MaxRegexLength} characters long.");
            }
            try
            {
                _ = new Regex(pattern, RegexOptions.NonBacktracking, TimeSpan.FromMilliseconds(100));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw new BadQueryException($"'{Shorten(pattern)}' is not a supported regular expression (RE2 syntax: no backreferences or lookaround).");
            }
        }
        return patterns;
    }

    private static List<OrderBy> ParseOrder(JsonElement element, IReadOnlyList<Metric> metrics, IReadOnlyList<QueryDimension> dimensions)
    {
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return [];
        }
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new BadQueryException("order_by must be an array of [name, \"asc\"|\"desc\"].");
        }
        var order = new List<OrderBy>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() != 2 || item[0].ValueKind != JsonValueKind.String || item[1].ValueKind != JsonValueKind.String)
            {
                throw new BadQueryException("order_by must be an array of [name, \"asc\"|\"desc\"].");
            }
            order.Add(ParseOrderItem(item[0].GetString()!, item[1].GetString()!, metrics, dimensions));
        }
        return order;
    }

    public static OrderBy ParseOrderItem(string name, string direction, IReadOnlyList<Metric> metrics, IReadOnlyList<QueryDimension> dimensions)
    {
        if (!metrics.Any(x => x.Name == name) && !dimensions.Any(x => x.Name == name))
        {
            throw new BadQueryException($"order_by '{Shorten(name)}' must be one of the query's metrics or dimensions.");
        }
        return direction switch
        {
            "asc" => new OrderBy(name, false),
            "desc" => new OrderBy(name, true),
            _ => throw new BadQueryException("order_by direction must be \"asc\" or \"desc\"."),
        };
    }

    private (int Limit, int Offset) ParsePagination(JsonElement body)
    {
        var source = body.TryGetProperty("pagination", out var p) && p.ValueKind == JsonValueKind.Object ? p : body;
        var limit = source.TryGetProperty("limit", out var l) ? IntOf(l, "limit") : 100;
        var offset = source.TryGetProperty("offset", out var o) ? IntOf(o, "offset") : 0;
        return CheckedPagination(limit, offset);
    }

    public (int Limit, int Offset) CheckedPagination(int limit, int offset)
    {
        if (limit < 1 || limit > _options.MaxRows)
        {
            throw new BadQueryException($"limit must be between 1 and {_options.MaxRows}.");
        }
        if (offset < 0 || offset > 1_000_000)
        {
            throw new BadQueryException("offset must be between 0 and 1000000.");
        }
        return (limit, offset);
    }

    private static Comparison ParseComparison(JsonElement body)
    {
        string? mode = null;
        if (body.TryGetProperty("include", out var include) && include.ValueKind == JsonValueKind.Object
            && include.TryGetProperty("comparisons", out var comparisons) && comparisons.ValueKind == JsonValueKind.Object
            && comparisons.TryGetProperty("mode", out var m) && m.ValueKind == JsonValueKind.String)
        {
            mode = m.GetString();
        }
        else if (body.TryGetProperty("compare", out var c) && c.ValueKind == JsonValueKind.String)
        {
            mode = c.GetString();
        }
        return ParseComparison(mode);
    }

    public static Comparison ParseComparison(string? mode) => mode switch
    {
        null or "" or "none" => Comparison.None,
        "previous_period" => Comparison.PreviousPeriod,
        "year_over_year" => Comparison.YearOverYear,
        _ => throw new BadQueryException("Comparison mode must be previous_period or year_over_year."),
    };

    private static int IntOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value)
            ? value
            : throw new BadQueryException($"{name} must be an integer.");

    private static string RequiredString(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new BadQueryException($"{name} is required.");

    /// <summary>Echoes at most a short prefix of caller input in error messages.</summary>
    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
