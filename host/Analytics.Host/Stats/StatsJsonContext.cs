using System.Text.Json.Serialization;

namespace Analytics.Host.Stats;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(DailyStats))]
[JsonSerializable(typeof(DailyStatsResponse))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
