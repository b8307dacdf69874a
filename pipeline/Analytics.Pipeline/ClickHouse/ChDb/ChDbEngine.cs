using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Analytics.Pipeline.ClickHouse.ChDb;

/// <summary>
/// The embedded ClickHouse engine (libchdb.so) with its data in one folder. The engine allows one open
/// connection per data path in a process; queries from several threads run one at a time.
/// </summary>
public sealed unsafe class ChDbEngine : IDisposable
{
    private static readonly Lock ResolverLock = new();
    private static string? _libraryPath;

    // One query at a time: with concurrent queries on one connection, chDB 26.5 swapped bound parameters
    // between them (ChDbEngineTests reproduces it), which could make a DELETE hit the wrong visitor.
    private readonly Lock _gate = new();
    private nint _connectionPointer;
    private nint _connection;

    private ChDbEngine(nint connectionPointer, string dataPath)
    {
        _connectionPointer = connectionPointer;
        _connection = *(nint*)connectionPointer;
        DataPath = dataPath;
    }

    public string DataPath { get; }

    /// <summary>Opens (creating if needed) the engine's data folder.</summary>
    /// <param name="dataPath">Folder for the engine's databases.</param>
    /// <param name="libraryPath">Path of libchdb.so.</param>
    public static ChDbEngine Open(string dataPath, string libraryPath)
    {
        UseLibrary(libraryPath);
        Directory.CreateDirectory(dataPath);
        var fullPath = Path.GetFullPath(dataPath);
        ThrowIfOpenElsewhere(fullPath);

        var saved = SignalHandlers.Save();
        nint connectionPointer;
        try
        {
            connectionPointer = Connect(fullPath);
        }
        finally
        {
            SignalHandlers.Restore(saved);
        }
        if (connectionPointer == 0 || *(nint*)connectionPointer == 0)
        {
            throw new ClickHouseException($"chDB could not open the data folder '{fullPath}' (is it open in another process?)");
        }
        return new ChDbEngine(connectionPointer, fullPath);
    }

    /// <summary>
    /// The engine holds an exclusive lock (flock) on the folder's <c>status</c> file while it has the folder
    /// open. A second process would get a null connection and the library's own error on stderr; probing the
    /// lock first (.NET takes <see cref="FileShare.None"/> as that same flock) says which folder and why.
    /// </summary>
    private static void ThrowIfOpenElsewhere(string fullPath)
    {
        var status = Path.Combine(fullPath, "status");
        if (!File.Exists(status))
        {
            return;
        }
        try
        {
            using var probe = new FileStream(status, FileMode.Open, FileAccess.Read, FileShare.None);
        }
        catch (IOException)
        {
            throw new ClickHouseException(
                $"the data folder '{fullPath}' is open in another process (an `analytics run`, import or export on the same --data): stop it first, or give another --data");
        }
    }

    /// <summary>Runs a query and returns its output in the given ClickHouse format.</summary>
    public byte[] Query(string sql, string format = "TabSeparated", IReadOnlyDictionary<string, string>? parameters = null)
    {
        var query = Encoding.UTF8.GetBytes(sql);
        return Query(query, format, parameters);
    }

    /// <summary>Runs a query given as UTF-8 bytes (an INSERT may carry its data inline after FORMAT).</summary>
    public byte[] Query(ReadOnlySpan<byte> query, string format = "TabSeparated", IReadOnlyDictionary<string, string>? parameters = null) =>
        Run(query, format, parameters, static result =>
        {
            var length = checked((int)ChDbNative.ResultLength(result));
            return length == 0 ? [] : new ReadOnlySpan<byte>(ChDbNative.ResultBuffer(result), length).ToArray();
        });

    private T Run<T>(ReadOnlySpan<byte> query, string format, IReadOnlyDictionary<string, string>? parameters, Func<nint, T> read)
    {
        var connection = _connection;
        ObjectDisposedException.ThrowIf(connection == 0, this);
        var formatBytes = Encoding.ASCII.GetBytes(format);
        nint result;
        lock (_gate)
        {
            fixed (byte* q = query)
            fixed (byte* f = formatBytes)
            {
                result = parameters is { Count: > 0 }
                    ? QueryWithParameters(connection, q, (nuint)query.Length, f, (nuint)formatBytes.Length, parameters)
                    : ChDbNative.Query(connection, q, (nuint)query.Length, f, (nuint)formatBytes.Length);
            }
        }
        if (result == 0)
        {
            throw new ClickHouseException("chDB returned no result");
        }
        try
        {
            var error = ChDbNative.ResultError(result);
            if (error != null)
            {
                throw new ClickHouseException(Marshal.PtrToStringUTF8((nint)error) ?? "unknown chDB error");
            }
            return read(result);
        }
        finally
        {
            ChDbNative.DestroyResult(result);
        }
    }

    public void Dispose()
    {
        var pointer = Interlocked.Exchange(ref _connectionPointer, 0);
        _connection = 0;
        if (pointer != 0)
        {
            ChDbNative.CloseConnection(pointer);
        }
    }

    private static nint QueryWithParameters(
        nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength,
        IReadOnlyDictionary<string, string> parameters)
    {
        var count = parameters.Count;
        var handles = new List<GCHandle>(count * 2);
        var names = stackalloc byte*[count];
        var values = stackalloc byte*[count];
        var nameLengths = stackalloc nuint[count];
        var valueLengths = stackalloc nuint[count];
        try
        {
            var i = 0;
            foreach (var (name, value) in parameters)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                var valueBytes = Encoding.UTF8.GetBytes(value);
                var nameHandle = GCHandle.Alloc(nameBytes, GCHandleType.Pinned);
                handles.Add(nameHandle);
                var valueHandle = GCHandle.Alloc(valueBytes, GCHandleType.Pinned);
                handles.Add(valueHandle);
                names[i] = (byte*)nameHandle.AddrOfPinnedObject();
                values[i] = (byte*)valueHandle.AddrOfPinnedObject();
                nameLengths[i] = (nuint)nameBytes.Length;
                valueLengths[i] = (nuint)valueBytes.Length;
                i++;
            }
            return ChDbNative.QueryWithParameters(
                connection, query, queryLength, format, formatLength,
                names, nameLengths, values, valueLengths, (nuint)count);
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Free();
            }
        }
    }

    private static nint Connect(string fullPath)
    {
        var args = new[] { "clickhouse", "--path=" + fullPath };
        var encoded = args.Select(a => Encoding.UTF8.GetBytes(a + "\0")).ToArray();
        var handles = encoded.Select(a => GCHandle.Alloc(a, GCHandleType.Pinned)).ToArray();
        try
        {
            var argv = stackalloc byte*[args.Length];
            for (var i = 0; i < args.Length; i++)
            {
                argv[i] = (byte*)handles[i].AddrOfPinnedObject();
            }
            return ChDbNative.Connect(args.Length, argv);
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Free();
            }
        }
    }

    private static void UseLibrary(string libraryPath)
    {
        lock (ResolverLock)
        {
            if (_libraryPath is not null)
            {
                if (_libraryPath != libraryPath)
                {
                    throw new InvalidOperationException($"libchdb is already loaded from '{_libraryPath}'");
                }
                return;
            }
            if (!File.Exists(libraryPath))
            {
                throw new FileNotFoundException($"libchdb.so not found at '{libraryPath}'. Run scripts/deps.sh to fetch it.", libraryPath);
            }
            _libraryPath = libraryPath;
            NativeLibrary.SetDllImportResolver(typeof(ChDbEngine).Assembly, Resolve);
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != ChDbNative.Library || _libraryPath is null)
        {
            return 0;
        }
        EngineAllocator.ConfigureBeforeLoad();
        return NativeLibrary.Load(_libraryPath);
    }
}
