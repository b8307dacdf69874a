using System.ComponentModel.DataAnnotations;

namespace Analytics.Pipeline.ClickHouse;

/// <summary>Storage settings, section "ClickHouse".</summary>
public sealed record ClickHouseOptions : IValidatableObject
{
    public const string Section = "ClickHouse";

    /// <summary>Embedded (chDB in this process, the default) or Server (ClickHouse over HTTP).</summary>
    public ClickHouseMode Mode { get; init; } = ClickHouseMode.Embedded;

    /// <summary>Database for all tables.</summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]{0,63}$", ErrorMessage = "ClickHouse:Database must be a plain identifier.")]
    public string Database { get; init; } = "analytics";

    /// <summary>Folder for the embedded engine's data; relative paths are under the current directory.</summary>
    [Required]
    public string DataPath { get; init; } = "data/clickhouse";

    /// <summary>Path of libchdb.so; empty means the dependency cache (scripts/deps.sh).</summary>
    public string ChDbLibrary { get; init; } = "";

    /// <summary>Server mode: the HTTP(S) interface, e.g. http://clickhouse:8123 or https://clickhouse:8443.</summary>
    public string ServerUrl { get; init; } = "http://127.0.0.1:8123";

    /// <summary>Server mode: user name.</summary>
    public string Username { get; init; } = "default";

    /// <summary>Server mode: password (set it from the environment, ClickHouse__Password, never in a committed file).</summary>
    public string Password { get; init; } = "";

    /// <summary>Server mode: compress requests and responses (gzip over HTTP).</summary>
    public bool Compression { get; init; } = true;

    /// <summary>Server mode: longest a single request may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Server mode: retries of a request that failed in transit (unreachable server, timeout, 502/503/504).</summary>
    [Range(0, 20)]
    public int MaxRetries { get; init; } = 3;

    /// <summary>Server mode: first wait before a retry; doubles each time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Server mode: a cluster name from the server's remote_servers. When set, migrations run in cluster
    /// form (ON CLUSTER, Replicated*MergeTree local tables, Distributed tables sharded by visitor ID).
    /// </summary>
    [RegularExpression("^([A-Za-z_][A-Za-z0-9_]{0,63})?$", ErrorMessage = "ClickHouse:Cluster must be empty or a plain identifier.")]
    public string Cluster { get; init; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == ClickHouseMode.Server && !(Uri.TryCreate(ServerUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return new ValidationResult("ClickHouse:ServerUrl must be an http:// or https:// URL in Server mode.", [nameof(ServerUrl)]);
        }
        if (Mode == ClickHouseMode.Embedded && Cluster.Length > 0)
        {
            yield return new ValidationResult("ClickHouse:Cluster needs ClickHouse:Mode = Server.", [nameof(Cluster)]);
        }
    }
}
