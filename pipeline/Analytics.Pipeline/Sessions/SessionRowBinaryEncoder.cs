namespace Analytics.Pipeline.Sessions;

/// <summary>
/// Encodes session rows as ClickHouse RowBinary rows of the sessions table, columns as in <see cref="Columns"/>;
/// both are generated from <see cref="Hits.HitFields"/> (HitFields.g.cs).
/// </summary>
public static partial class SessionRowBinaryEncoder
{
    public const string Format = "RowBinary";
}
