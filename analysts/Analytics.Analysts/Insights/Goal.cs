using System.Text;
using Analytics.Analysts.Query;

namespace Analytics.Analysts.Insights;

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
    /// </summary>
    public string MatchSql()
    {
        var test = new StringBuilder();
        if (Path is not null)
        {
            test.Append("kind = 1 AND match(path, ").Append(Dimension.HexLiteral(PatternRegex(Path))).Append(')');
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

    /// <summary>The filter condition "hit meets this goal".</summary>
    public Condition Condition() => new(FilterOperator.Holds, new Dimension("goal", MatchSql(), DimensionLevel.Hit), [Name]);

    /// <summary>A path pattern as an anchored RE2 expression: * is any run of characters, everything else literal.</summary>
    public static string PatternRegex(string pattern) =>
        "^" + string.Join(".*", pattern.Split('*').Select(System.Text.RegularExpressions.Regex.Escape)) + "$";
}
