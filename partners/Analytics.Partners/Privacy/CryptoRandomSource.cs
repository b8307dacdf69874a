using System.Numerics;
using System.Security.Cryptography;

namespace Analytics.Partners.Privacy;

/// <summary>
/// The production source: the operating system's CSPRNG, with rejection sampling so every integer below the bound
/// is exactly equally likely (no modulo bias).
/// </summary>
public sealed class CryptoRandomSource : IRandomSource
{
    public static CryptoRandomSource Instance { get; } = new();

    public BigInteger UniformBelow(BigInteger bound) => RejectionSampling.UniformBelow(bound, RandomNumberGenerator.Fill);
}
