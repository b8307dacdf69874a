using System.Text.Json.Serialization;

namespace Analytics.Analysts.Api;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RealtimeAnswer))]
[JsonSerializable(typeof(QueryBodyExample))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AnalystsJsonContext : JsonSerializerContext;
