using System.ComponentModel.DataAnnotations;

namespace Analytics.Pipeline.ClickHouse;

/// <summary>Storage settings, section "ClickHouse".</summary>
public sealed record ClickHouseOptions
{
    public const string Section = "ClickHouse";

    /// <summary>Database for all tables.</summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]{0,63}$", ErrorMessage = "ClickHouse:Database must be a plain identifier.")]
    public string Database { get; init; } = "analytics";

    /// <summary>Folder for the embedded engine's data; relative paths are under the current directory.</summary>
    [Required]
    public string DataPath { get; init; } = "data/clickhouse";

    /// <summary>Path of libchdb.so; empty means the dependency cache (scripts/deps.sh).</summary>
    public string ChDbLibrary { get; init; } = "";
}
