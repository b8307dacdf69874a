namespace Analytics.Analysts.Access;

/// <summary>The keys file's content.</summary>
public sealed record ApiKeyFile
{
    public List<ApiKey> Keys { get; init; } = [];
}
