using Microsoft.Extensions.Hosting;

namespace Analytics.Pipeline.Tests.Kafka;

/// <summary>A host lifetime for components built by hand; a fatal Kafka error fails the test loudly.</summary>
public sealed class TestLifetime : IHostApplicationLifetime
{
    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => throw new InvalidOperationException("A Kafka client reported a fatal error.");
}
