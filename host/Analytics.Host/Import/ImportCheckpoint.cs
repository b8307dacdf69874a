using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.Host.Import;

/// <summary>
/// Where an unfinished import of one file stands: lines already stored, and the visitor secret of its run (so a
/// resumed import derives the same IDs). Written only after the hits before it were stored; deleted,
/// secret and all, when the file is done. While it exists it is as sensitive as the log itself (mode 0600).
/// </summary>
public sealed record ImportCheckpoint
{
    public required string File { get; init; }

    public long Lines { get; init; }

    public required string Secret { get; init; }

    /// <summary>SHA-256 of the file when the import started (null in checkpoints of older versions).</summary>
    public string? Fingerprint { get; init; }

    /// <summary>
    /// The secret is its run's, shared by every file of the run, and the file's hit IDs are keyed by it and the
    /// file's fingerprint (<see cref="HistoricVisitorIds.ForFile"/>); false in checkpoints of older versions, whose
    /// secret was the file's own and keyed its hit IDs alone.
    /// </summary>
    public bool SecretPerRun { get; init; }

    /// <summary>Pageviews stored from the file up to <see cref="Lines"/>, over every run so far.</summary>
    public long Pageviews { get; init; }

    /// <summary>A merge's pageviews per file, in the order of its files (null for one file): each file is recorded in the ledger with its own.</summary>
    public long[]? MemberPageviews { get; init; }

    public static ImportCheckpoint? Load(string path, string file)
    {
        if (!System.IO.File.Exists(path))
        {
            return null;
        }
        var checkpoint = JsonSerializer.Deserialize(System.IO.File.ReadAllText(path), ImportJsonContext.Default.ImportCheckpoint);
        return checkpoint is not null && checkpoint.File == file ? checkpoint : null;
    }

    public void Save(string path)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, this, ImportJsonContext.Default.ImportCheckpoint);
            stream.Flush(flushToDisk: true);
        }
        System.IO.File.Move(temporary, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ImportCheckpoint))]
internal sealed partial class ImportJsonContext : JsonSerializerContext;
