using System.Text;

namespace Analytics.Analysts.Query;

/// <summary>
/// A site's goal: a pageview whose path matches <see cref="Path"/> (a pattern where * stands for any
/// characters), or a custom event named <see cref="EventName"/>, optionally only with a property of a given
/// value. A hit that meets it is a conversion.
/// </summary>
public sealed record Goal
{
    public required string Id { get; init; }

    public required string Site { get; init; }

    public required string Name { get; init; }

    /// <summary>Pageview goal: a path pattern, e.g. "/signup/done" or "/blog/*".</summary>
    public string? Path { get; init; }

    /// <summary>Custom event goal: the event's name.</summary>
    public string? EventName { get; init; }

    /// <summary>Optionally, a custom property the hit must carry...</summary>
    public string? PropertyName { get; init; }

    /// <summary>...with this value.</summary>
    public string? PropertyValue { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// The SQL test a hit meets. Every value is the site owner's text, so it reaches SQL hex-encoded only
    /// (this text is also used inside window functions, where bound parameters would need threading).
    /// A path is compared with = or LIKE (never a regular expression), so the engine finds a step's hits
    /// by the primary key of the hits_by_step projection (schema/0015) instead of testing every hit.
    /// </summary>
    public string MatchSql()
    {
        var test = new StringBuilder();
        if (Path is not null)
        {
            test.Append("kind = 1 AND ").Append(PathSql());
        }
        else
        {
            test.Append("kind = 2 AND event_name = ").Append(Dimension.HexLiteral(EventName ?? ""));
        }
        if (PropertyName is not null)
        {
            test.Append(" AND props[").Append(Dimension.HexLiteral(PropertyName)).Append("] = ").Append(Dimension.HexLiteral(PropertyValue ?? ""));
        }
        return test.ToString();
    }

    /// <summary>
    /// Where the goal's converted visitors can be read from a daily rollup (the visitor states of the
    /// matching pages in rollup_paths_daily, or of the event in rollup_events_daily): the table and the
    /// test on its key columns. Null for a goal with a property match, which only raw hits can answer.
    /// </summary>
    public (string Table, string Condition)? Rollup() =>
        PropertyName is not null ? null
        : Path is not null ? ("rollup_paths_daily", PathSql())
        : ("rollup_events_daily", "event_name = " + Dimension.HexLiteral(EventName ?? ""));

    private string PathSql() => Path!.Contains('*', StringComparison.Ordinal)
        ? "path LIKE " + Dimension.HexLiteral(LikePattern(Path))
        : "path = " + Dimension.HexLiteral(Path);

    /// <summary>The filter condition "hit meets this goal".</summary>
    public Condition Condition() => new(FilterOperator.Holds, new Dimension("goal", MatchSql(), DimensionLevel.Hit), [Name]);

    /// <summary>A path pattern as a LIKE pattern: * is any run of characters, everything else literal (%, _ and \\ escaped).</summary>
    public static string LikePattern(string pattern) =>
        string.Join("%", pattern.Split('*').Select(part => part.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)));
}
