using System.Text.Json.Serialization;

namespace Analytics.Analysts.Access;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApiKeyFile))]
internal sealed partial class AccessJsonContext : JsonSerializerContext;
