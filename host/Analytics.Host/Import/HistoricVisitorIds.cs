using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Host.Import;

/// <summary>
/// Visitor IDs for imported history, where no cookie ever existed: HMAC-SHA256 over IP, user-agent and
/// UTC day, keyed by a random secret made for one import run (every file of one command) and discarded
/// when it completes, truncated to 128 bits; a recent day whose secret an earlier run kept
/// (<see cref="ImportDaySecrets"/>) is derived with that one. Without the secret nobody (us included) can recompute
/// an ID from an IP, and IDs do not link one day to the next. See docs/import.md ("Visitors, derived") for the trade-off.
/// The same secret gives each line its hit ID (<see cref="HitFor"/>), so a resumed import that reads
/// lines again which a crashed run stored after its last checkpoint finds them stored and skips them.
/// </summary>
public sealed class HistoricVisitorIds(byte[] secret, byte[]? hitSecret = null, IReadOnlyDictionary<DateOnly, byte[]>? daySecrets = null)
{
    public const int SecretLength = 32;

    /// <summary>Lines beyond this number share hit-ID bits with earlier ones (the hash part still tells them apart).</summary>
    private const int LineBits = 36;

    /// <summary>IDs remembered: a visitor's lines come in runs, and the HMAC costs more than the rest of a line's parsing.</summary>
    private const int RememberedMax = 100_000;

    private readonly Dictionary<(IPAddress? Ip, string RemoteHost, string UserAgent, DateOnly Day), Guid> _remembered = [];

    public byte[] Secret { get; } = secret.Length == SecretLength ? secret : throw new ArgumentException($"The secret must be {SecretLength} bytes.", nameof(secret));

    /// <summary>Keys the hit IDs (the secret itself, or since one secret serves a whole run, the secret and the file).</summary>
    private readonly byte[] _hitSecret = hitSecret ?? secret;

    private readonly IReadOnlyDictionary<DateOnly, byte[]> _daySecrets = daySecrets ?? new Dictionary<DateOnly, byte[]>();

    private readonly HashSet<DateOnly> _ownSecretDays = [];

    /// <summary>The UTC days whose visitors were derived with <see cref="Secret"/> (no earlier run's secret kept for them).</summary>
    public IReadOnlyCollection<DateOnly> OwnSecretDays => _ownSecretDays;

    public static HistoricVisitorIds WithNewSecret() => new(RandomNumberGenerator.GetBytes(SecretLength));

    /// <summary>
    /// The same visitor IDs, with hit IDs of a file of their own: the files of one run share the secret, so that a
    /// visitor whose day is split between two rotated files is one visitor, while line N of one file and line N of
    /// another, logged in the same second, stay two hits.
    /// </summary>
    public HistoricVisitorIds ForFile(string fingerprint) =>
        new(Secret, HMACSHA256.HashData(Secret, Encoding.UTF8.GetBytes("hits of " + fingerprint)), _daySecrets);

    /// <summary>The line's visitor. One caller at a time.</summary>
    public Guid For(LogEntry entry) => For(entry, entry.Ip);

    /// <summary>The line's visitor, from <paramref name="client"/> (the address behind trusted proxies) in place of the logged one. One caller at a time.</summary>
    public Guid For(LogEntry entry, IPAddress? client)
    {
        var key = (client, entry.RemoteHost, entry.UserAgent, DateOnly.FromDateTime(entry.Time.UtcDateTime));
        if (!_remembered.TryGetValue(key, out var id))
        {
            if (_remembered.Count >= RememberedMax)
            {
                _remembered.Clear();
            }
            id = Derive(entry, client);
            _remembered[key] = id;
        }
        return id;
    }

    private Guid Derive(LogEntry entry, IPAddress? client)
    {
        // The HMAC input is "IP\nuser-agent\nyyyy-MM-dd" in UTF-8, as it always was: a checkpoint written by
        // an earlier version resumes with the same visitor IDs. Built in place instead of through a string.
        // A line with a host name instead of the address has the host name in the address's place.
        const int StackLimit = 1024;
        var maxLength = Math.Max(46, entry.RemoteHost.Length) + 1 + Encoding.UTF8.GetMaxByteCount(entry.UserAgent.Length) + 1 + 10;
        Span<byte> input = maxLength <= StackLimit ? stackalloc byte[StackLimit] : new byte[maxLength];
        int length;
        if (client is null)
        {
            length = Encoding.UTF8.GetBytes(entry.RemoteHost, input);
        }
        else if (!client.TryFormat(input, out length))
        {
            length = Encoding.UTF8.GetBytes(client.ToString(), input);
        }
        input[length++] = (byte)'\n';
        length += Encoding.UTF8.GetBytes(entry.UserAgent, input[length..]);
        input[length++] = (byte)'\n';
        var day = entry.Time.UtcDateTime;
        day.TryFormat(input[length..], out var written, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        length += written;
        var date = DateOnly.FromDateTime(day);
        if (!_daySecrets.TryGetValue(date, out var key))
        {
            key = Secret;
            _ownSecretDays.Add(date);
        }
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, input[..length], mac);
        var id = new Guid(mac[..16]);
        // Guid.Empty means "anonymous" downstream; a 2^-128 chance, but never let it happen.
        return id == Guid.Empty ? new Guid(mac[16..]) : id;
    }

    /// <summary>
    /// The hit ID of line <paramref name="line"/> (1-based) of the file these IDs belong to: a UUIDv7 with
    /// the line's time (milliseconds), then the line number (so hits of one second keep the log's order, as
    /// the session tracker breaks ties by ID), then 38 bits of a hash keyed by the secret (so another import,
    /// or this file imported again with --force, never repeats an ID).
    /// </summary>
    public Guid HitFor(long line, DateTimeOffset time)
    {
        Span<byte> input = stackalloc byte[SecretLength + sizeof(long)];
        _hitSecret.CopyTo(input);
        BinaryPrimitives.WriteInt64LittleEndian(input[SecretLength..], line);
        var hash = XxHash3.HashToUInt64(input);
        var lineBits = (ulong)line & ((1UL << LineBits) - 1);
        // 74 bits after the timestamp, version and variant: 36 of the line, then 38 of the hash.
        var random = (lineBits << 38) | (hash >> 26);
        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = (ulong)time.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (milliseconds << 16) | 0x7000 | (ushort)(random >> 62));
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], 0x8000_0000_0000_0000UL | (random & 0x3FFF_FFFF_FFFF_FFFFUL));
        return new Guid(bytes, bigEndian: true);
    }
}
