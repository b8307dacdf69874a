using System.Runtime.InteropServices;
using System.Text;

namespace Analytics.Pipeline.Tests.Kafka;

/// <summary>
/// librdkafka's built-in mock cluster: the real Kafka protocol over TCP on 127.0.0.1, data in memory
/// (only the newest ~5 MiB per partition: keep volumes small). Fault controls through P/Invoke into the
/// librdkafka that Confluent.Kafka ships. With ANALYTICS_TEST_KAFKA=host:port the tests use that
/// cluster instead; faults then cannot be injected and the fault tests are skipped.
/// </summary>
public sealed partial class MockCluster : IDisposable
{
    public const string EnvironmentVariable = "ANALYTICS_TEST_KAFKA";

    private const string Library = "centos8-librdkafka.so";
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;

    static MockCluster() => NativeLibrary.SetDllImportResolver(typeof(MockCluster).Assembly, (name, _, _) =>
        name == Library ? NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", Library)) : IntPtr.Zero);

    private MockCluster(string bootstrapServers, IntPtr handle, IntPtr cluster)
    {
        BootstrapServers = bootstrapServers;
        _handle = handle;
        _cluster = cluster;
    }

    public string BootstrapServers { get; }

    /// <summary>True when faults can be injected (the mock), false against a real cluster.</summary>
    public bool CanInjectFaults => _cluster != IntPtr.Zero;

    /// <summary>A mock cluster of <paramref name="brokers"/> brokers, or the real one named by the environment.</summary>
    public static MockCluster Start(int brokers = 1)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } real)
        {
            return new MockCluster(real, IntPtr.Zero, IntPtr.Zero);
        }
        var errors = new byte[512];
        var conf = rd_kafka_conf_new();
        // A plain handle with no brokers configured: it only owns the mock cluster.
        var handle = rd_kafka_new(0, conf, errors, errors.Length);
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Encoding.UTF8.GetString(errors).TrimEnd('\0'));
        }
        var cluster = rd_kafka_mock_cluster_new(handle, brokers);
        if (cluster == IntPtr.Zero)
        {
            rd_kafka_destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }
        // Consumer groups form at once instead of after the broker's usual 3 s.
        rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, 0);
        var bootstrap = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(cluster))!;
        return new MockCluster(bootstrap, handle, cluster);
    }

    /// <summary>A new topic with a unique name (the admin API times out against the mock).</summary>
    public string CreateTopic(string prefix, int partitions) => CreateNamedTopic(prefix + "-" + Guid.NewGuid().ToString("N")[..12], partitions);

    /// <summary>A topic of exactly this name (auto-created topics get the mock's default partition count).</summary>
    public string CreateNamedTopic(string topic, int partitions)
    {
        if (CanInjectFaults)
        {
            var error = rd_kafka_mock_topic_create(_cluster, topic, partitions, 1);
            if (error != 0)
            {
                throw new InvalidOperationException($"rd_kafka_mock_topic_create failed: {error}");
            }
        }
        return topic;
    }

    public void SetBrokerDown(int brokerId = 1) => Check(rd_kafka_mock_broker_set_down(_cluster, brokerId));

    public void SetBrokerUp(int brokerId = 1) => Check(rd_kafka_mock_broker_set_up(_cluster, brokerId));

    /// <summary>Delays every answer of the broker by <paramref name="milliseconds"/> (0 restores): produces sit unacknowledged meanwhile.</summary>
    public void SetRoundTripTime(int milliseconds, int brokerId = 1) => Check(rd_kafka_mock_broker_set_rtt(_cluster, brokerId, milliseconds));

    /// <summary>The next requests of this API (0 = Produce) fail with these Kafka error codes, in order.</summary>
    public void PushRequestErrors(short apiKey, params int[] errors)
    {
        Check(0);
        rd_kafka_mock_push_request_errors_array(_cluster, apiKey, errors.Length, errors);
    }

    public void Dispose()
    {
        if (_cluster != IntPtr.Zero)
        {
            rd_kafka_mock_cluster_destroy(_cluster);
            rd_kafka_destroy(_handle);
        }
    }

    private void Check(int error)
    {
        if (!CanInjectFaults)
        {
            throw new InvalidOperationException("Faults can only be injected into the mock cluster.");
        }
        if (error != 0)
        {
            throw new InvalidOperationException($"mock cluster call failed: {error}");
        }
    }

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nint errstrSize);

    [LibraryImport(Library)]
    private static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(Library)]
    private static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library)]
    private static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    private static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    private static partial int rd_kafka_mock_broker_set_rtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(Library)]
    private static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nint count, int[] errors);

    [LibraryImport(Library)]
    private static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);
}
