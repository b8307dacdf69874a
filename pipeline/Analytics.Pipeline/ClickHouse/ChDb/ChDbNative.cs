using System.Runtime.InteropServices;

namespace Analytics.Pipeline.ClickHouse.ChDb;

/// <summary>The C API of libchdb.so (ClickHouse as a library), as shipped by npm @chdb/lib-linux-x64-gnu.</summary>
internal static unsafe partial class ChDbNative
{
    public const string Library = "chdb";

    [LibraryImport(Library, EntryPoint = "chdb_connect")]
    public static partial nint Connect(int argc, byte** argv);

    [LibraryImport(Library, EntryPoint = "chdb_close_conn")]
    public static partial void CloseConnection(nint connectionPointer);

    [LibraryImport(Library, EntryPoint = "chdb_query_n")]
    public static partial nint Query(nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    [LibraryImport(Library, EntryPoint = "chdb_query_with_params_n")]
    public static partial nint QueryWithParameters(
        nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength,
        byte** names, nuint* nameLengths, byte** values, nuint* valueLengths, nuint count);

    [LibraryImport(Library, EntryPoint = "chdb_result_buffer")]
    public static partial byte* ResultBuffer(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_result_length")]
    public static partial nuint ResultLength(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_result_error")]
    public static partial byte* ResultError(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_result_rows_written")]
    public static partial ulong ResultRowsWritten(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_destroy_query_result")]
    public static partial void DestroyResult(nint result);
}
