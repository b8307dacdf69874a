namespace Analytics.Analysts.Query;

/// <summary>
/// Which stored data the planner may read. The API always uses <see cref="Best"/>; the others exist so
/// tests can prove that every faster answer equals the raw one, and so the benchmark can time both.
/// </summary>
public enum PlanMode
{
    /// <summary>The narrowest data that answers exactly: rollups, then the visits table, then raw hits.</summary>
    Best,

    /// <summary>No rollup: raw hits, and the visits table for visit metrics.</summary>
    NoRollups,

    /// <summary>Raw hits only; visits are rebuilt from them with the 30-minute rule.</summary>
    HitsOnly,
}
