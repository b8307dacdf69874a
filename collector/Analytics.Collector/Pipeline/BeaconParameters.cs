namespace Analytics.Collector.Pipeline;

/// <summary>The beacon's own parameters, as sent (query string of /i.gif or a JSON body of /e).</summary>
public sealed record BeaconParameters
{
    public static readonly IReadOnlyDictionary<string, string> NoProps = new Dictionary<string, string>();

    /// <summary>A hit of a batch whose text could not be read (invalid UTF-16 escapes): rejected as InvalidEncoding.</summary>
    public static readonly BeaconParameters Unreadable = new() { IsUnreadable = true };

    public bool IsUnreadable { get; private init; }

    public string? Site { get; init; }

    public string? Url { get; init; }

    public string? Referrer { get; init; }

    public string? Title { get; init; }

    public string? EventName { get; init; }

    public string? ScreenWidth { get; init; }

    /// <summary>Target of an outbound-link or file-download event.</summary>
    public string? LinkTarget { get; init; }

    public IReadOnlyDictionary<string, string> Props { get; init; } = NoProps;
}
