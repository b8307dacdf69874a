using System.Text.Json.Serialization;

namespace Analytics.Host.Sites;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SiteBody))]
[JsonSerializable(typeof(List<SiteBody>))]
internal sealed partial class SitesJsonContext : JsonSerializerContext;
