namespace Analytics.Bench.Servers;

/// <summary>A beacon server the harness loads: started once, measured through its process tree.</summary>
public interface IServerUnderTest : IAsyncDisposable
{
    /// <summary>Short key used in the report: nginx, kestrel, collector.</summary>
    string Key { get; }

    /// <summary>What it is, for the report.</summary>
    string Description { get; }

    Uri BaseUrl { get; }

    /// <summary>Root of the server's process tree (CPU and memory are summed over it).</summary>
    int Pid { get; }

    Task StartAsync(CancellationToken cancellationToken);
}
