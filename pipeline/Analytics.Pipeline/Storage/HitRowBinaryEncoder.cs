namespace Analytics.Pipeline.Storage;

/// <summary>
/// Encodes hits as ClickHouse RowBinary rows of the hits table, columns as in <see cref="Columns"/>; both
/// are generated from <see cref="Hits.HitFields"/> (HitFields.g.cs).
/// </summary>
public static partial class HitRowBinaryEncoder
{
    public const string Format = "RowBinary";
}
