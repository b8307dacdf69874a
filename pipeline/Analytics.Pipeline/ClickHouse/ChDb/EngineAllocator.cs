using System.Runtime.InteropServices;

namespace Analytics.Pipeline.ClickHouse.ChDb;

/// <summary>
/// How soon the engine's allocator gives freed memory back. libchdb.so carries its own jemalloc (names
/// prefixed je_), whose build keeps freed pages 5 s, then 5 s more as lazily freed pages (MADV_FREE) that
/// still count in the process's resident memory until the kernel wants them. Each batch the aggregator
/// stores frees tens of megabytes, so the embedded host kept about a batch's worth of such pages resident
/// (benchmarks/README.md, "Embedded host: what its peak memory is made of"). Here they go back after 1 s,
/// and at once to the kernel. jemalloc reads this once, when the library loads, from the native
/// environment: <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it on Linux.
/// An operator's own JE_MALLOC_CONF is kept.
/// </summary>
internal static partial class EngineAllocator
{
    public const string Variable = "JE_MALLOC_CONF";

    public const string Settings = "dirty_decay_ms:1000,muzzy_decay_ms:0";

    /// <summary>Puts <see cref="Settings"/> in the native environment unless <see cref="Variable"/> is set there; call before the library loads.</summary>
    public static void ConfigureBeforeLoad()
    {
        if (SetEnv(Variable, Settings, overwrite: 0) != 0)
        {
            throw new InvalidOperationException($"setenv({Variable}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The value jemalloc reads: the native environment's, not .NET's copy of it.</summary>
    public static string? Current() => Marshal.PtrToStringUTF8(GetEnv(Variable));

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetEnv(string name);
}
