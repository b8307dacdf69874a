namespace Analytics.Pipeline.ClickHouse;

/// <summary>An error reported by the ClickHouse engine or server, with its message as ClickHouse wrote it.</summary>
public sealed class ClickHouseException : Exception
{
    public ClickHouseException(string message) : base(message) { }

    public ClickHouseException(string message, Exception inner) : base(message, inner) { }

    public ClickHouseException() { }
}
