using System.Runtime.InteropServices;

namespace Analytics.Pipeline.ClickHouse.ChDb;

/// <summary>
/// How soon the engine's allocator gives freed memory back. libchdb.so carries its own jemalloc (names
/// prefixed je_), whose build keeps freed pages 5 s, then 5 s more as lazily freed pages (MADV_FREE) that
/// still count in the process's resident memory until the kernel wants them: after seven inserts of
/// 50,000 hits, 88 MB of them (benchmarks/README.md, "The engine's allocator"). Here they go back after 1 s,
/// and at once to the kernel. jemalloc reads this once, when the library loads, from the native
/// environment: <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it on Linux.
/// It is set once, as the library loads (.NET keeps its own copy of the environment and does not call getenv).
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
