using System.Numerics;

namespace Analytics.Partners.Privacy;

/// <summary>Uniform integers, the only randomness the noise samplers use (no floating point anywhere).</summary>
public interface IRandomSource
{
    /// <summary>A uniform integer in [0, <paramref name="bound"/>); <paramref name="bound"/> is positive.</summary>
    BigInteger UniformBelow(BigInteger bound);
}
