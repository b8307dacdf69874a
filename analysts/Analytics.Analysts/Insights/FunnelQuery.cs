using System.Globalization;
using System.Text.Json;
using Analytics.Analysts.Query;

namespace Analytics.Analysts.Insights;

/// <summary>
/// A funnel: 2 to 8 ordered steps (a saved goal, or a page path pattern), completed within one visit or
/// within N days of the first step, over a period and filters as in any query. The answer counts visitors
/// exactly (not a sketch): how many reached each step, and how many dropped off before the next.
/// </summary>
public sealed class FunnelQuery(StatsQueryParser parser, QueryRunner runner, DefinitionStore definitions)
{
    public const int MinSteps = 2;
    public const int MaxSteps = 8;
    public const int MaxWithinDays = 90;

    /// <summary>Parses a funnel body; throws <see cref="BadQueryException"/> naming what is wrong.</summary>
    public FunnelRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new BadQueryException("The funnel must be a JSON object.");
        }
        var site = body.TryGetProperty("site_id", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() is { Length: > 0 } id
            ? id
            : throw new BadQueryException("site_id is required.");
        var zone = parser.TimeZoneOf(site);
        var range = body.TryGetProperty("date_range", out var r) && r.ValueKind == JsonValueKind.Array && r.GetArrayLength() == 2
            ? parser.ParseRange($"{r[0].GetString()},{r[1].GetString()}", zone)
            : parser.ParseRange(body.TryGetProperty("date_range", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() : null, zone);
        if (!body.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array
            || steps.GetArrayLength() < MinSteps || steps.GetArrayLength() > MaxSteps)
        {
            throw new BadQueryException($"steps must be an array of {MinSteps} to {MaxSteps} steps, each {{\"goal\": NAME}} or {{\"page\": PATH}}.");
        }
        var parsed = steps.EnumerateArray().Select(step => Step(site, step)).ToList();
        long? window = null;
        if (body.TryGetProperty("within_days", out var days) && days.ValueKind != JsonValueKind.Null)
        {
            window = days.ValueKind == JsonValueKind.Number && days.TryGetInt32(out var n) && n is >= 1 and <= MaxWithinDays
                ? n * 86_400_000L
                : throw new BadQueryException($"within_days must be a whole number from 1 to {MaxWithinDays} (leave it out for within one visit).");
        }
        Filter? filter = null;
        if (body.TryGetProperty("filters", out var f) && f.ValueKind != JsonValueKind.Null)
        {
            filter = new AllOf(parser.ParseFilterList(f, "filters", site));
        }
        return new FunnelRequest(site, range, parsed, window, filter);
    }

    private FunnelStep Step(string site, JsonElement step)
    {
        if (step.ValueKind == JsonValueKind.Object && step.TryGetProperty("goal", out var g) && g.ValueKind == JsonValueKind.String)
        {
            var goal = definitions.FindGoal(site, g.GetString()!) ?? throw new BadQueryException($"The site has no goal '{Shorten(g.GetString()!)}'.");
            return new FunnelStep(goal.Name, goal.MatchSql());
        }
        if (step.ValueKind == JsonValueKind.Object && step.TryGetProperty("page", out var p) && p.ValueKind == JsonValueKind.String
            && p.GetString() is { Length: > 0 and <= DefinitionStore.MaxText } path && path.StartsWith('/'))
        {
            return new FunnelStep(path, new Goal { Id = "", Site = site, Name = path, Path = path }.MatchSql());
        }
        throw new BadQueryException("A funnel step is {\"goal\": NAME} (a saved goal) or {\"page\": PATH} (a path starting with '/', * for any characters).");
    }

    /// <summary>Runs the funnel; <paramref name="lockedFilter"/> (a shared link's) narrows it, <paramref name="minVisitors"/> hides small steps.</summary>
    public async Task<FunnelAnswer> RunAsync(FunnelRequest request, Filter? lockedFilter, int? minVisitors, CancellationToken cancellationToken)
    {
        var filter = lockedFilter is null ? request.Filter : request.Filter is null ? lockedFilter : new AllOf([request.Filter, lockedFilter]);
        if (filter?.Conditions().Any(c => c.Dimension.Level == DimensionLevel.Visit && c.Dimension.Name is "entry_page" or "exit_page") == true)
        {
            throw new BadQueryException("A funnel cannot be filtered by entry or exit page; filter by page instead.");
        }
        var stepSql = request.Steps.Select(s => s.Sql).ToList();
        // Within a visit, hits that carry their visit (schema/0018) are grouped by it; a period holding a step
        // hit stored without one (before 0018) is answered by placing hits in visits, as before: same answer, slower.
        var hitsCarryVisits = request.WindowMillis is null
            && (await runner.ReadAsync(runner.Planner.UnstampedStepHitsPlan(request.SiteId, request.Range, stepSql), 1, cancellationToken)).Rows is [{ Metrics: [0.0] }];
        var plan = runner.Planner.FunnelPlan(request.SiteId, request.Range, stepSql, filter, request.WindowMillis, hitsCarryVisits);
        var (rows, _) = await runner.ReadAsync(plan, 1, cancellationToken);
        var reached = new long[request.Steps.Count + 1];
        foreach (var row in rows)
        {
            var level = int.Parse(row.Dimensions[0], CultureInfo.InvariantCulture);
            for (var i = 1; i <= level && i < reached.Length; i++)
            {
                reached[i] += (long)row.Metrics[0];
            }
        }
        var first = reached[1];
        var steps = request.Steps.Select((step, i) =>
        {
            var visitors = reached[i + 1];
            var next = i + 2 < reached.Length ? reached[i + 2] : visitors;
            var hidden = minVisitors is { } k && visitors < k;
            return new FunnelStepAnswer(step.Label, hidden ? null : visitors, hidden ? null : visitors - next,
                hidden ? null : first == 0 ? 0 : Math.Round(100.0 * visitors / first, 1));
        }).ToList();
        return new FunnelAnswer(steps, [Day(request.Range.FirstDay), Day(request.Range.LastDay)],
            request.WindowMillis is { } w ? $"{w / 86_400_000}d" : "visit");
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}

/// <summary>A parsed funnel.</summary>
public sealed record FunnelRequest(string SiteId, DateRange Range, IReadOnlyList<FunnelStep> Steps, long? WindowMillis, Filter? Filter);

/// <summary>One step: its label and its test on a hit.</summary>
public sealed record FunnelStep(string Label, string Sql);

/// <summary>The funnel's answer: per step the visitors who reached it, those who did not go on, and the percent of the first step.</summary>
public sealed record FunnelAnswer(IReadOnlyList<FunnelStepAnswer> Steps, IReadOnlyList<string> DateRange, string Within);

/// <summary>A step of the answer; the numbers are null when a shared link hides a step below its visitor threshold.</summary>
public sealed record FunnelStepAnswer(string Label, long? Visitors, long? Dropoff, double? ConversionRate);

/// <summary>The custom property names in use.</summary>
public sealed record PropertyNamesAnswer(IReadOnlyList<PropertyNameCount> Properties);

/// <summary>A property name and the hits that carry it.</summary>
public sealed record PropertyNameCount(string Name, long Hits);

/// <summary>POST /api/v2/goals body: a page goal (path) or an event goal (event), optionally with a property match.</summary>
public sealed record GoalBody(string? SiteId, string? Name, string? Path, string? Event, string? PropertyName, string? PropertyValue);

/// <summary>POST /api/v2/segments body.</summary>
public sealed record SegmentBody(string? SiteId, string? Name, JsonElement Filters);
