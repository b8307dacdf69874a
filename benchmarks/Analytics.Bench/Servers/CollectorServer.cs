using System.Globalization;
using Analytics.Bench.Load;
using Analytics.Bench.Processes;

namespace Analytics.Bench.Servers;

/// <summary>
/// (c) Our collector's full path in a child process with its own data folder, with the bench sites
/// registered: either the collector role alone (`analytics collector`: steps, fsynced spool, Kafka
/// producer), as a distributed deployment runs it, or the embedded host (`analytics run`: collector,
/// queue, aggregator and chDB in one process).
/// </summary>
public sealed class CollectorServer : IServerUnderTest
{
    /// <summary>Site that only the freshness probes write to, so its count moves only with them.</summary>
    public const string FreshnessSite = "bench-fresh";

    /// <summary>Site the soak load writes to.</summary>
    public const string SoakSite = "bench-soak";

    private readonly string _dataDirectory;
    private readonly IReadOnlyList<string> _roleArguments;
    private ChildProcess? _process;

    private CollectorServer(string key, string description, string dataDirectory, IReadOnlyList<string> roleArguments)
    {
        Key = key;
        Description = description;
        _dataDirectory = dataDirectory;
        _roleArguments = roleArguments;
    }

    /// <summary>The embedded host: every role in one process.</summary>
    public static CollectorServer Embedded(string dataDirectory, IReadOnlyList<string> extraArguments) =>
        new("embedded", "analytics run (embedded): full collector path, fsynced spool (the default transport), aggregator, chDB", dataDirectory,
            ["run", "--data", dataDirectory, .. extraArguments]);

    /// <summary>
    /// The embedded host answering from its in-memory queue (<c>Transport:Kind=InProcess</c>, the documented
    /// non-durable opt-in): beside <see cref="Embedded"/> in the same rounds, the cost of durable answers.
    /// </summary>
    public static CollectorServer EmbeddedInMemory(string dataDirectory, IReadOnlyList<string> extraArguments) =>
        new(EmbeddedInMemoryKey, "analytics run --Transport:Kind=InProcess: as embedded, but answered from the in-memory queue (the non-durable opt-in)", dataDirectory,
            ["run", "--data", dataDirectory, "--Transport:Kind=InProcess", .. extraArguments]);

    public const string EmbeddedInMemoryKey = "embedded-memory";

    /// <summary>The collector role alone, shipping to <paramref name="bootstrapServers"/>.</summary>
    public static CollectorServer CollectorRole(string dataDirectory, string bootstrapServers, IReadOnlyList<string> extraArguments) =>
        new("collector", "analytics collector: the collector role alone, acknowledging from its fsynced spool and shipping to Kafka (the harness's mock cluster)", dataDirectory,
            ["collector", "--data", dataDirectory, "--kafka", bootstrapServers, .. extraArguments]);

    /// <summary>The aggregator role alone, reading from <paramref name="bootstrapServers"/> into its own chDB (DIR/clickhouse).</summary>
    public static CollectorServer AggregatorRole(string dataDirectory, string bootstrapServers, IReadOnlyList<string> extraArguments) =>
        new("aggregator", "analytics aggregator: the aggregator role alone, consuming from Kafka into chDB", dataDirectory,
            ["aggregator", "--data", dataDirectory, "--kafka", bootstrapServers, .. extraArguments]);

    public string Key { get; }

    public string Description { get; }

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public int Pid => Process.Pid;

    public string DataDirectory => _dataDirectory;

    public ChildProcess Process => _process ?? throw new InvalidOperationException("The collector is not running");

    public Task StartAsync(CancellationToken cancellationToken) => StartOnAsync(FreePort.Next());

    /// <summary>SIGKILL, as a crash: nothing is drained or flushed.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            PeakRssBytes = Math.Max(PeakRssBytes, ProcessStats.TreePeakRssBytes(_process.Pid));
            await _process.KillAsync();
        }
    }

    /// <summary>Starts it again (after <see cref="KillAsync"/>) with the same command, port and data folder.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
        await StartOnAsync(BaseUrl.Port);
    }

    private async Task StartOnAsync(int port)
    {
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        string[] arguments =
        [
            .. _roleArguments, "--urls", $"http://127.0.0.1:{port}",
            "--Logging:LogLevel:Default=Warning",
            "--Signing:KeyFile=" + Path.Combine(_dataDirectory, "signing.key"),
            // All load comes from 127.0.0.1: the per-client limit would drop nearly every hit.
            "--RateLimit:Burst=1000000", "--RateLimit:PerSecond=1000000",
            .. SiteArguments(90, BeaconMix.SiteId), .. SiteArguments(91, FreshnessSite), .. SiteArguments(92, SoakSite),
        ];
        _process = AnalyticsProcess.Start(Key, arguments);
        // The first start builds the schema; give it time.
        await _process.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
    }

    /// <summary>Peak RSS of the process, as last read (before it was stopped).</summary>
    public long PeakRssBytes { get; private set; }

    /// <summary>Stops it gracefully (the queue is drained into storage first), noting its peak RSS before.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            PeakRssBytes = Math.Max(PeakRssBytes, ProcessStats.TreePeakRssBytes(_process.Pid));
            await _process.StopAsync(TimeSpan.FromSeconds(60));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    /// <summary>Registers a site through configuration, at a high index so the configured sites stay.</summary>
    private static string[] SiteArguments(int index, string id)
    {
        var i = index.ToString(CultureInfo.InvariantCulture);
        return [$"--Sites:Sites:{i}:Id={id}", $"--Sites:Sites:{i}:Hosts:0={BeaconMix.SiteHost}"];
    }
}
