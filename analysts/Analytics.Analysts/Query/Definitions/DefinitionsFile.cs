namespace Analytics.Analysts.Query;

/// <summary>The definitions file's content: every site's goals and segments.</summary>
public sealed record DefinitionsFile
{
    public List<Goal> Goals { get; init; } = [];

    public List<Segment> Segments { get; init; } = [];
}
