using System.Text.Json.Serialization;

namespace Analytics.Analysts.Query;

/// <summary>The definitions file's JSON, written as the goals and segments API writes them.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DefinitionsFile))]
internal sealed partial class DefinitionsJsonContext : JsonSerializerContext;
