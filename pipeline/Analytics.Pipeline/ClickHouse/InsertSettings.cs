using System.Globalization;

namespace Analytics.Pipeline.ClickHouse;

/// <summary>Settings every insert carries, on both transports.</summary>
public static class InsertSettings
{
    /// <summary>The settings of an insert, with <paramref name="deduplicationToken"/> when it has one.</summary>
    public static IEnumerable<(string Name, object Value)> For(string? deduplicationToken)
    {
        // Our blocks hold nothing to fold on insert: a visit's -1 and +1 rows carry different versions and
        // the views have already grouped their rows. Skipping it saved 15-20% of the embedded batch write
        // (benchmarks/README.md); the background merges still fold everything.
        yield return ("optimize_on_insert", 0);
        // Each insert feeds seven views; running them side by side used the second core and made the
        // embedded storage write 25-40% faster in alternating runs (benchmarks/README.md).
        yield return ("parallel_view_processing", 1);
        if (deduplicationToken is null)
        {
            yield break;
        }
        // Deduplicate by token, in the target table and in every table a materialized view writes to
        // (otherwise a replayed batch would be dropped from hits but counted again in the rollups).
        yield return ("insert_deduplicate", 1);
        yield return ("deduplicate_blocks_in_dependent_materialized_views", 1);
        yield return ("insert_deduplication_token", deduplicationToken);
    }

    /// <summary>The settings as a SETTINGS clause, strings quoted as ClickHouse literals.</summary>
    public static string Clause(string? deduplicationToken) =>
        " SETTINGS " + string.Join(", ", For(deduplicationToken).Select(setting => setting.Name + " = " + (setting.Value is string text
            ? SqlLiteral.Quote(text)
            : Convert.ToString(setting.Value, CultureInfo.InvariantCulture))));
}
