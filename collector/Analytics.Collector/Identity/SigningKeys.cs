using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Identity;

/// <summary>
/// The HMAC-SHA256 key ring. Every tag is bound to a purpose, so a tag made for one use (a cookie)
/// never verifies for another (a link).
/// </summary>
public sealed class SigningKeys : IDisposable
{
    /// <summary>Tags are truncated to 128 bits: enough against forgery, short enough for cookies and URLs.</summary>
    public const int TagLength = 16;

    private const int MinKeyLength = 32;
    private const int StackLimit = 512;

    private readonly byte[][] _keys;

    // One keyed HMAC per key and thread, reset after each tag: OpenSSL's one-shot HMAC sets up a new
    // context and looks the digest up again on every call, which showed in the collector's profile.
    private readonly ThreadLocal<IncrementalHash[]> _hmacs;

    public SigningKeys(IOptions<SigningOptions> options)
        : this(Load(options.Value))
    {
    }

    internal SigningKeys(byte[][] keys)
    {
        if (keys.Length == 0 || keys.Any(k => k.Length < MinKeyLength))
        {
            throw new ArgumentException($"Signing keys must be at least {MinKeyLength} bytes.", nameof(keys));
        }
        _keys = keys;
        _hmacs = new ThreadLocal<IncrementalHash[]>(() => Array.ConvertAll(_keys, k => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, k)), trackAllValues: true);
    }

    /// <summary>Writes the tag of <paramref name="data"/> for <paramref name="purpose"/> with the newest key.</summary>
    public void Sign(SigningPurpose purpose, ReadOnlySpan<byte> data, Span<byte> tag) => Tag(_hmacs.Value![0], purpose, data, tag);

    /// <summary>Checks a tag against every key, in constant time per key.</summary>
    /// <returns>-1 when no key made the tag; 0 for the newest key; more for an older one (re-sign).</returns>
    public int Verify(SigningPurpose purpose, ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
    {
        if (tag.Length != TagLength)
        {
            return -1;
        }
        Span<byte> expected = stackalloc byte[TagLength];
        var hmacs = _hmacs.Value!;
        for (var i = 0; i < hmacs.Length; i++)
        {
            Tag(hmacs[i], purpose, data, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, tag))
            {
                return i;
            }
        }
        return -1;
    }

    public void Dispose()
    {
        foreach (var hmacs in _hmacs.Values)
        {
            foreach (var hmac in hmacs)
            {
                hmac.Dispose();
            }
        }
        _hmacs.Dispose();
    }

    /// <summary>Tag of a UTF-16 string (links, tokens): encoded to UTF-8 on the stack when small.</summary>
    public void Sign(SigningPurpose purpose, string text, Span<byte> tag)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = max <= StackLimit ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        Sign(purpose, buffer[..length], tag);
    }

    public int Verify(SigningPurpose purpose, string text, ReadOnlySpan<byte> tag)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = max <= StackLimit ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        return Verify(purpose, buffer[..length], tag);
    }

    private static void Tag(IncrementalHash hmac, SigningPurpose purpose, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        // The tag covers the purpose byte followed by the data; GetHashAndReset keeps the key for the next tag.
        ReadOnlySpan<byte> prefix = [(byte)purpose];
        hmac.AppendData(prefix);
        hmac.AppendData(data);
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        hmac.GetHashAndReset(full);
        full[..TagLength].CopyTo(tag);
    }

    private static byte[][] Load(SigningOptions options)
    {
        if (options.Keys.Count > 0)
        {
            return options.Keys.Select((k, i) => Decode(k, $"{SigningOptions.Section}:Keys:{i}")).ToArray();
        }
        var path = Path.GetFullPath(options.KeyFile);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var key = RandomNumberGenerator.GetBytes(MinKeyLength);
            // CreateNew: two processes starting at once never overwrite each other's key.
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            }
            catch (IOException) when (File.Exists(path))
            {
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        return [Decode(File.ReadAllText(path).Trim(), $"{SigningOptions.Section}:KeyFile ({path})")];
    }

    private static byte[] Decode(string base64, string where)
    {
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var length) || length < MinKeyLength)
        {
            throw new OptionsValidationException(SigningOptions.Section, typeof(SigningOptions),
                [$"{where} must be a base64 key of at least {MinKeyLength} bytes (e.g. `openssl rand -base64 32`)."]);
        }
        return bytes[..length];
    }
}
