namespace Analytics.Host.Import;

/// <summary>
/// The collector's clock during an import: "now" is the log line's own time, so the pipeline stamps each
/// hit with when it really happened. Outside a line (timers, anything else) it is the real clock.
/// </summary>
public sealed class ImportClock : TimeProvider
{
    private readonly AsyncLocal<DateTimeOffset?> _now = new();

    public DateTimeOffset? Now
    {
        get => _now.Value;
        set => _now.Value = value;
    }

    public override DateTimeOffset GetUtcNow() => _now.Value?.ToUniversalTime() ?? System.GetUtcNow();
}
