namespace Analytics.Pipeline.ClickHouse;

/// <summary>Which ClickHouse answers: the engine inside this process, or a server (or cluster) over HTTP.</summary>
public enum ClickHouseMode
{
    Embedded,
    Server,
}
