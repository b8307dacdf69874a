using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.Bench.Load;

/// <summary>wrk's summary of one run, as printed by the script's done() (latencies in microseconds).</summary>
public sealed record WrkResult
{
    [JsonPropertyName("requests")] public long Requests { get; init; }
    [JsonPropertyName("duration_us")] public long DurationMicroseconds { get; init; }
    [JsonPropertyName("connect_errors")] public long ConnectErrors { get; init; }
    [JsonPropertyName("read_errors")] public long ReadErrors { get; init; }
    [JsonPropertyName("write_errors")] public long WriteErrors { get; init; }
    [JsonPropertyName("status_errors")] public long StatusErrors { get; init; }
    [JsonPropertyName("timeouts")] public long Timeouts { get; init; }
    [JsonPropertyName("p50_us")] public long P50Microseconds { get; init; }
    [JsonPropertyName("p90_us")] public long P90Microseconds { get; init; }
    [JsonPropertyName("p99_us")] public long P99Microseconds { get; init; }
    [JsonPropertyName("max_us")] public long MaxMicroseconds { get; init; }

    public double RequestsPerSecond => DurationMicroseconds == 0 ? 0 : Requests / (DurationMicroseconds / 1e6);

    /// <summary>Responses with a 2xx/3xx status (wrk counts the others as status errors).</summary>
    public long Answered => Requests - StatusErrors;

    public long Errors => ConnectErrors + ReadErrors + WriteErrors + StatusErrors + Timeouts;

    /// <summary>Finds the summary line in wrk's output; null when there is none (wrk failed).</summary>
    public static WrkResult? Parse(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            var start = line.IndexOf(WrkScript.SummaryPrefix, StringComparison.Ordinal);
            if (start >= 0)
            {
                return JsonSerializer.Deserialize(line[(start + WrkScript.SummaryPrefix.Length)..].Trim(), BenchJsonContext.Default.WrkResult);
            }
        }
        return null;
    }
}
