using System.Runtime.InteropServices;

namespace Analytics.Pipeline.ClickHouse.ChDb;

/// <summary>
/// chdb_connect installs its own handlers for all standard signals. .NET relies on its SIGSEGV handler to
/// turn null dereferences into NullReferenceException, so the engine's handlers would make the next NRE
/// kill the process. We save every handler before connecting and put them back right after.
/// </summary>
internal static unsafe partial class SignalHandlers
{
    private const int StandardSignals = 31;

    // struct sigaction is 152 bytes on x86_64 glibc; a larger buffer keeps us safe on other layouts.
    private const int SigactionBytes = 256;

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int Sigaction(int signal, byte* action, byte* oldAction);

    public static byte[] Save()
    {
        var saved = new byte[(StandardSignals + 1) * SigactionBytes];
        fixed (byte* buffer = saved)
        {
            for (var signal = 1; signal <= StandardSignals; signal++)
            {
                _ = Sigaction(signal, null, buffer + (signal * SigactionBytes));
            }
        }
        return saved;
    }

    public static void Restore(byte[] saved)
    {
        fixed (byte* buffer = saved)
        {
            for (var signal = 1; signal <= StandardSignals; signal++)
            {
                // SIGKILL and SIGSTOP cannot be changed; sigaction refuses them and that is fine.
                _ = Sigaction(signal, buffer + (signal * SigactionBytes), null);
            }
        }
    }
}
