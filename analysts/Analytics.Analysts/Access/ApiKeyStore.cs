using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Analytics.Analysts.Access;

/// <summary>
/// API keys and shared links in one JSON file, shared by the running host (reads) and the `analytics key`
/// command (writes). Only SHA-256 hashes are kept: a key is 256 random bits, so a fast hash is as safe
/// as a slow one and costs nothing per request. The host re-reads the file when it changes, so a
/// revocation takes effect on the next request.
/// </summary>
public sealed class ApiKeyStore(string path)
{
    private const string Prefix = "ak_";

    private readonly Lock _lock = new();
    private (DateTime Written, long Length) _loadedVersion;
    private Dictionary<string, ApiKey> _byHash = new(StringComparer.Ordinal);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Creates a key and returns it with the secret, which is shown once and never stored.</summary>
    public (ApiKey Key, string Secret) Create(IReadOnlyList<string> sites, string name, string kind = ApiKeyKinds.Api, JsonElement? lockedFilters = null)
    {
        var secret = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKey
        {
            Id = secret[..(Prefix.Length + 8)],
            Hash = HashOf(secret),
            Sites = sites,
            Name = name,
            Kind = kind,
            CreatedAt = DateTimeOffset.UtcNow,
            LockedFilters = lockedFilters,
        };
        Update(file => file.Keys.Add(key));
        return (key, secret);
    }

    /// <summary>Marks the key revoked; false when no live key has that id.</summary>
    public bool Revoke(string id)
    {
        var revoked = false;
        Update(file =>
        {
            var index = file.Keys.FindIndex(k => k.Id == id && k.RevokedAt is null);
            if (index >= 0)
            {
                file.Keys[index] = file.Keys[index] with { RevokedAt = DateTimeOffset.UtcNow };
                revoked = true;
            }
        });
        return revoked;
    }

    public IReadOnlyList<ApiKey> List() => Read().Keys;

    /// <summary>The live (not revoked) key whose hash matches <paramref name="secret"/>.</summary>
    public ApiKey? Find(string secret)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length > 128)
        {
            return null;
        }
        var keys = Current();
        return keys.TryGetValue(HashOf(secret), out var key) && key.RevokedAt is null ? key : null;
    }

    private Dictionary<string, ApiKey> Current()
    {
        var info = new FileInfo(Path);
        var version = info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
        lock (_lock)
        {
            if (version != _loadedVersion)
            {
                _byHash = Read().Keys.ToDictionary(k => k.Hash, StringComparer.Ordinal);
                _loadedVersion = version;
            }
            return _byHash;
        }
    }

    private ApiKeyFile Read()
    {
        if (!File.Exists(Path))
        {
            return new ApiKeyFile();
        }
        using var stream = File.OpenRead(Path);
        return JsonSerializer.Deserialize(stream, AccessJsonContext.Default.ApiKeyFile) ?? new ApiKeyFile();
    }

    /// <summary>Read-modify-write through a temporary file and a rename, so a reader never sees half a file.</summary>
    private void Update(Action<ApiKeyFile> change)
    {
        lock (_lock)
        {
            var file = Read();
            change(file);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var temporary = Path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(file, AccessJsonContext.Default.ApiKeyFile), new UTF8Encoding(false));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.Move(temporary, Path, overwrite: true);
        }
    }

    private static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
