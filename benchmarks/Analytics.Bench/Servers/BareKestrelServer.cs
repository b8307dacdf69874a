using Analytics.Bench.Processes;

namespace Analytics.Bench.Servers;

/// <summary>(b) A bare ASP.NET Core endpoint answering the same GIF and visitor cookie, in a child process.</summary>
public sealed class BareKestrelServer : IServerUnderTest
{
    private ChildProcess? _process;

    public string Key => "kestrel";

    public string Description => "bare Kestrel minimal API: same GIF + headers, new random _vid cookie when none is sent";

    /// <summary>
    /// The baseline runs with the framework's defaults: the thread-pool spin limit that analytics.dll's
    /// runtimeconfig lowers for our collector stays at .NET's default (70) for it, whatever the harness's own runtimeconfig says.
    /// </summary>
    private static readonly Dictionary<string, string> FrameworkDefaults = new() { ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "70" };

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public int Pid => _process?.Pid ?? throw new InvalidOperationException("Kestrel is not running");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _process = AnalyticsProcess.StartHarness(Key, ["gif-server", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], FrameworkDefaults);
        await _process.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
