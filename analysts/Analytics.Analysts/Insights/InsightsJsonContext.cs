using System.Text.Json.Serialization;
using Analytics.Analysts.Query;

namespace Analytics.Analysts.Insights;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GoalBody))]
[JsonSerializable(typeof(SegmentBody))]
[JsonSerializable(typeof(List<Goal>))]
[JsonSerializable(typeof(List<Segment>))]
[JsonSerializable(typeof(FunnelAnswer))]
[JsonSerializable(typeof(PropertyNamesAnswer))]
internal sealed partial class InsightsJsonContext : JsonSerializerContext;
