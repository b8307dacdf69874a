namespace Analytics.Pipeline.ClickHouse;

/// <summary>Settings every deduplicated insert carries, on both transports.</summary>
public static class InsertSettings
{
    /// <summary>
    /// Deduplicate by token, in the target table and in every table a materialized view writes to
    /// (otherwise a replayed batch would be dropped from hits but counted again in the rollups).
    /// </summary>
    public const string Deduplication = "insert_deduplicate = 1, deduplicate_blocks_in_dependent_materialized_views = 1";
}
