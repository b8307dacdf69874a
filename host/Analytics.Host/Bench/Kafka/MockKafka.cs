using System.Runtime.InteropServices;
using System.Text;

namespace Analytics.Host.Bench.Kafka;

/// <summary>
/// librdkafka's built-in mock cluster, run inside the harness: the real Kafka protocol on 127.0.0.1 for
/// the collector under test, and broker faults the soak can trigger. It keeps only the newest few MiB per
/// partition in memory, so it suits steady load consumed as it is produced, not a backlog.
/// P/Invoke into the librdkafka build that Confluent.Kafka ships (Debian lacks the default one's libsasl2).
/// </summary>
public sealed partial class MockKafka : IDisposable
{
    private const string Library = "centos8-librdkafka.so";
    private readonly nint _handle;
    private readonly nint _cluster;

    static MockKafka() => NativeLibrary.SetDllImportResolver(typeof(MockKafka).Assembly, (name, _, _) =>
        name == Library ? NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", Library)) : 0);

    private MockKafka(nint handle, nint cluster, string bootstrapServers)
    {
        _handle = handle;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    public static MockKafka Start(int brokers = 1)
    {
        var errors = new byte[512];
        // A plain handle with no brokers of its own: it only owns the mock cluster.
        var handle = rd_kafka_new(0, rd_kafka_conf_new(), errors, errors.Length);
        if (handle == 0)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Encoding.UTF8.GetString(errors).TrimEnd('\0'));
        }
        var cluster = rd_kafka_mock_cluster_new(handle, brokers);
        if (cluster == 0)
        {
            rd_kafka_destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }
        // Consumer groups form at once instead of after the usual 3 s.
        rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, 0);
        return new MockKafka(handle, cluster, Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(cluster))!);
    }

    /// <summary>Creates a topic (the admin API times out against the mock).</summary>
    public void CreateTopic(string topic, int partitions) => Check(rd_kafka_mock_topic_create(_cluster, topic, partitions, 1), "topic_create");

    public void SetBrokerDown(int brokerId = 1) => Check(rd_kafka_mock_broker_set_down(_cluster, brokerId), "broker_set_down");

    public void SetBrokerUp(int brokerId = 1) => Check(rd_kafka_mock_broker_set_up(_cluster, brokerId), "broker_set_up");

    /// <summary>Delays every answer of the broker by <paramref name="milliseconds"/> (0 restores it): slow acknowledgements.</summary>
    public void SetBrokerRtt(int milliseconds, int brokerId = 1) => Check(rd_kafka_mock_broker_set_rtt(_cluster, brokerId, milliseconds), "broker_set_rtt");

    public void Dispose()
    {
        rd_kafka_mock_cluster_destroy(_cluster);
        rd_kafka_destroy(_handle);
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_{call} failed with error {error}");
        }
    }

    [LibraryImport(Library)]
    private static partial nint rd_kafka_conf_new();

    [LibraryImport(Library)]
    private static partial nint rd_kafka_new(int type, nint conf, byte[] errstr, nint errstrSize);

    [LibraryImport(Library)]
    private static partial void rd_kafka_destroy(nint rk);

    [LibraryImport(Library)]
    private static partial nint rd_kafka_mock_cluster_new(nint rk, int brokerCount);

    [LibraryImport(Library)]
    private static partial void rd_kafka_mock_cluster_destroy(nint cluster);

    [LibraryImport(Library)]
    private static partial nint rd_kafka_mock_cluster_bootstraps(nint cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_mock_topic_create(nint cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library)]
    private static partial int rd_kafka_mock_broker_set_down(nint cluster, int brokerId);

    [LibraryImport(Library)]
    private static partial int rd_kafka_mock_broker_set_up(nint cluster, int brokerId);

    [LibraryImport(Library)]
    private static partial int rd_kafka_mock_broker_set_rtt(nint cluster, int brokerId, int rttMs);

    [LibraryImport(Library)]
    private static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(nint cluster, int delayMs);
}
